// What the admin CLIs (censusctl, billingctl) print: listings as aligned text for a person or
// CSV for a spreadsheet, and times as UTC text.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace gm::host {

// "2025-03-01T08:00:00Z"; "-" for 0 ("not yet" in every table).
std::string utc_text(int64_t unix);

// A CSV field: quoted (quotes doubled) if it holds a comma, a quote or a line break. Names
// in the store (agent ids, subscribers, offer terms) may hold any of them.
std::string csv_field(const std::string& s);

// A table. Column names are written as CSV headers (snake_case); the text heading shows them
// with spaces. Text cells are padded to their column, numbers (right = true) on the right, and
// an empty cell is shown as "-" so that the columns stay readable; CSV keeps it empty.
class Listing {
 public:
  struct Column {
    std::string name;
    bool right = false;
  };
  explicit Listing(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // One cell a column, in order.
  void add(std::vector<std::string> row);
  void print(std::FILE* out, bool csv) const;
  size_t rows() const { return rows_.size(); }

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace gm::host
