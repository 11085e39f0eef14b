// Text as a JSON string, quotes included: quotes, backslashes and control bytes escaped. The
// feed's events, bills and their files are built by hand (a few fields each, no library).
#pragma once

#include <string>
#include <string_view>

namespace gm::host {

std::string json_quoted(std::string_view text);

}  // namespace gm::host
