// The disbursement facts (disbursement.h) as the store holds them: the terms, the members and
// their credit lines, every closed period's nets and pair credits (from its stored totals, so
// they are the closed reports' own figures), the money in and out, and the open period's
// running nets; and each provider's exposure computed from them and stored for the RADIUS
// servers (refused_realms.h), which refuse an over-limit provider's realms.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/settlement/disbursement.h"
#include "host/store/settlement_ledger.h"

namespace gm::settlement {

// The running net of each provider in the open period (everything after the last closed one,
// and the late records the next close will carry), rated with today's tariffs. A record that
// does not rate is left out: the close will refuse it, and until then it is nobody's debt.
std::map<std::string, Micros> open_nets(host::SettlementLedger& ledger);

// Throws StoreError, billing::BillingError (totals that do not fit).
DisbursementState disbursement_state(host::SettlementLedger& ledger);

// Every provider's exposure from `state`, stored (set_exposure) at `now`; returned. Refused
// only under the guaranteed policy.
std::vector<Exposure> refresh_exposure(host::SettlementLedger& ledger,
                                       const DisbursementState& state, int64_t now);

}  // namespace gm::settlement
