// The captive portal's page (portal.html): what a gateway's realm offers, shown before anyone
// logs in; the walled garden's message when ?reason=zero-balance.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const q = new URLSearchParams(location.search);
  const realm = q.get('realm') || '';
  document.getElementById('realm').textContent = realm;
  document.getElementById('zero-balance').hidden = q.get('reason') !== 'zero-balance';
  const params = new URLSearchParams({ realm });
  if (q.get('gateway')) params.set('gateway', q.get('gateway'));
  const res = await fetch('/api/offers?' + params.toString());
  const body = await res.json();
  if (res.status !== 200) {
    document.getElementById('portal-error').textContent = body.error;
    return;
  }
  const list = document.getElementById('offers');
  if (!body.offers.length) list.textContent = 'This network offers no access of its own here.';
  for (const o of body.offers) {
    const li = document.createElement('li');
    li.dataset.option = o.option;
    const b = document.createElement('strong');
    b.textContent = o.label;
    li.append(b, ' — ' + o.terms);
    list.appendChild(li);
  }
});
