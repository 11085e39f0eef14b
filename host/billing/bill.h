// A bill: one account's bill lines for a period (sessions that started in it), the subtotal,
// fee and tax lines, the total; and its CSV and JSON text. A plain function of its inputs, so
// the same store gives the same bytes every time.
//
// Rounding: every line's amount was rounded once, when it was rated (rate.h); the subtotal is
// their exact sum. Fees are fixed amounts. Each tax is a percentage (up to four decimals) of the
// subtotal plus the fees, rounded half up to the micro-unit once, for its own line.
#pragma once

#include <string>
#include <vector>

#include "host/billing/money.h"
#include "host/store/billing_types.h"

namespace gm::billing {

struct BillAdjustment {
  enum class Kind { fee, tax } kind = Kind::fee;
  std::string name;
  Micros amount = 0;       // fee
  int64_t tax_ppm = 0;     // tax: parts per million (19 % = 190,000)
};

// "NAME:AMOUNT" (fee) or "NAME:PERCENT%" (tax); throws BillingError naming the text.
BillAdjustment parse_fee(std::string_view text);
BillAdjustment parse_tax(std::string_view text);

struct Bill {
  std::string account;
  int64_t from_unix = 0, to_unix = 0;
  std::vector<host::ChargedLine> lines;
  Micros subtotal = 0;
  std::vector<std::pair<std::string, Micros>> adjustments;  // in order: fees, then taxes
  Micros total = 0;
};

Bill make_bill(std::string account, int64_t from_unix, int64_t to_unix,
               std::vector<host::ChargedLine> lines, const std::vector<BillAdjustment>& extra);

std::string bill_csv(const Bill& bill);
std::string bill_json(const Bill& bill);

}  // namespace gm::billing
