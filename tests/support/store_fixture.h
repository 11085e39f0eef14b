// A test over a fresh store on each database (test_database.h): instantiate with
// INSTANTIATE_TEST_SUITE_P(Databases, X, ::testing::Values("sqlite", "postgresql")); a database
// this machine cannot run is skipped, saying why.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "host/store/store.h"
#include "tests/support/test_database.h"

namespace gm::test {

class StoreOnEachDatabase : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    db_ = TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = host::open_store(db_->spec());
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<host::Store> store_;
};

}  // namespace gm::test
