#include "host/store/sqlite_store.h"
#include "host/store/store.h"
#ifdef GM_HAVE_POSTGRESQL
#include "host/store/postgres_store.h"
#endif

namespace gm::host {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::string describe_store(const std::string& spec) {
  std::string s = spec;
  // key=value conninfo: password=secret or password='se cret'.
  for (size_t at = 0; (at = s.find("password", at)) != std::string::npos;) {
    size_t v = at + 8;
    while (v < s.size() && s[v] == ' ') ++v;
    if (v >= s.size() || s[v] != '=') {
      // "password s3cret" does not parse, and libpq's message about it quotes the word: a bare
      // word (no '=') after the keyword is masked too.
      size_t end = v;
      while (end < s.size() && s[end] != ' ') ++end;
      const bool bare = v > at + 8 && end > v && s.find('=', v) >= end;
      if (bare) s.replace(v, end - v, "***");
      at = bare ? v + 3 : v;
      continue;
    }
    ++v;
    while (v < s.size() && s[v] == ' ') ++v;
    size_t end = v;
    if (end < s.size() && s[end] == '\'') {
      end = s.find('\'', end + 1);
      end = end == std::string::npos ? s.size() : end + 1;
    } else {
      while (end < s.size() && s[end] != ' ') ++end;
    }
    s.replace(v, end - v, "***");
    at = v + 3;
  }
  // URI: scheme://user:secret@host
  if (const auto scheme = s.find("://"); scheme != std::string::npos) {
    const auto at = s.find('@', scheme);
    const auto colon = s.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      s.replace(colon + 1, at - colon - 1, "***");
  }
  return s;
}

std::unique_ptr<Store> open_store(const std::string& spec, StoreOptions options) {
  if (starts_with(spec, "sqlite:")) return open_sqlite_store(spec.substr(7), options);
  for (const char* prefix : {"postgresql:", "postgres:"})
    if (starts_with(spec, prefix)) {
#ifdef GM_HAVE_POSTGRESQL
      // A URI (postgresql://host/db) is libpq's own form: it keeps its scheme.
      if (starts_with(spec, "postgresql://") || starts_with(spec, "postgres://"))
        return open_postgres_store(spec, options);
      return open_postgres_store(spec.substr(std::string(prefix).size()), options);
#else
      throw StoreError("store '" + describe_store(spec) +
                       "': this build has no PostgreSQL support (libpq was not found)");
#endif
    }
  // A word and a colon before any slash names a kind of store: one we do not know is a typo,
  // not a file to create.
  const auto colon = spec.find(':');
  if (spec.empty() || (colon != std::string::npos && spec.find('/') > colon &&
                       !starts_with(spec, "file:")))
    throw StoreError("store '" + describe_store(spec) +
                     "': expected sqlite:PATH or postgresql:CONNINFO");
  return open_sqlite_store(spec, options);
}

}  // namespace gm::host
