// The few CSV rules the simulator's oracles read by: a header row names the columns, a cell
// may be quoted (commas inside quotes do not split), and a trailing CR is dropped. Enough for
// the truth file and the servers' exports; not a general CSV reader.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

namespace gm::sim {

std::vector<std::string> split_csv_line(const std::string& line);
// The index of the first of `names` the header holds; -1 if none.
int csv_column(const std::vector<std::string>& header, std::initializer_list<const char*> names);

}  // namespace gm::sim
