#include "shared/proto/wire_names.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <string>

#include "gatemeter.pb.h"

using namespace gm::wire;

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return s;
}

// Every value from _MIN to _MAX: a distinct lowercase name that is the tail of the generated
// one, so each name leads back to exactly one value and none was written by hand.
template <typename Enum>
void expect_round_trip(Enum lo, Enum hi, EnumName (*short_name)(int32_t),
                       const char* (*generated)(Enum)) {
  std::map<std::string, int32_t> seen;
  for (int32_t v = lo; v <= hi; ++v) {
    const std::string name = short_name(v).c_str();
    const std::string full = generated(static_cast<Enum>(v));
    SCOPED_TRACE(full);
    ASSERT_FALSE(name.empty());
    EXPECT_NE(name, "invalid");
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos);
    ASSERT_GT(full.size(), name.size());
    EXPECT_EQ(full.substr(full.size() - name.size() - 1), "_" + upper(name));
    EXPECT_TRUE(seen.emplace(name, v).second) << name << " names two values";
  }
  for (const auto& [name, v] : seen) EXPECT_EQ(short_name(v).c_str(), name);
}

}  // namespace

TEST(WireNames, EveryStopCauseRoundTrips) {
  expect_round_trip(_gatemeter_StopCause_MIN, _gatemeter_StopCause_MAX, stop_cause_name,
                    gatemeter_StopCause_name);
}

TEST(WireNames, EveryBillingOptionRoundTrips) {
  expect_round_trip(_gatemeter_BillingOption_MIN, _gatemeter_BillingOption_MAX, billing_name,
                    gatemeter_BillingOption_name);
}

// censusctl's listings and CSV export printed these before they were derived; docs, scripts
// and spreadsheets read them.
TEST(WireNames, KeepTheNamesOperatorsAlreadyRead) {
  const char* causes[] = {"none",         "user_request", "idle_timeout", "session_timeout",
                          "host_command", "zero_balance", "lost_carrier", "agent_restart",
                          "auth_rejected"};
  for (int32_t v = 0; v < static_cast<int32_t>(std::size(causes)); ++v)
    EXPECT_STREQ(stop_cause_name(v).c_str(), causes[v]);
  const char* billing[] = {"unspecified", "prepaid", "postpaid", "time_pass", "free", "roaming"};
  for (int32_t v = 0; v < static_cast<int32_t>(std::size(billing)); ++v)
    EXPECT_STREQ(billing_name(v).c_str(), billing[v]);
}

TEST(WireNames, ValuesTheProtoDoesNotDefineAreInvalid) {
  for (int32_t v : {int32_t{_gatemeter_StopCause_MIN} - 1, int32_t{_gatemeter_StopCause_MAX} + 1,
                    INT32_MIN, INT32_MAX})
    EXPECT_STREQ(stop_cause_name(v).c_str(), "invalid") << v;
  for (int32_t v : {int32_t{_gatemeter_BillingOption_MIN} - 1,
                    int32_t{_gatemeter_BillingOption_MAX} + 1, INT32_MIN, INT32_MAX})
    EXPECT_STREQ(billing_name(v).c_str(), "invalid") << v;
}
