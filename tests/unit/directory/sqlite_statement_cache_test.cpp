#include "../../../directory/local/sqlite_database.hpp"

#include <gtest/gtest.h>

namespace dirmail::directory {
namespace {

TEST(SqliteStatementCache, ReusedStatementsStartClean) {
  auto db = SqliteDatabase::open(":memory:", 1000);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER); "
                       "INSERT INTO t VALUES ('a', 1), ('b', 2);")
                  .ok());
  const char* sql = "SELECT v FROM t WHERE k = ?1";
  for (auto [key, want] : {std::pair{"a", 1}, std::pair{"b", 2}, std::pair{"a", 1}}) {
    auto st = db->prepare(sql);
    ASSERT_TRUE(st.ok());
    st->bind(1, std::string_view(key));
    auto row = st->step();
    ASSERT_TRUE(row.ok() && *row) << key;
    EXPECT_EQ(st->column_int(0), want);
  }
  // A statement left mid-result is reset before its next use.
  {
    auto st = db->prepare("SELECT k FROM t ORDER BY k");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*st->step());
  }
  auto again = db->prepare("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(*again->step());
  EXPECT_EQ(again->column_text(0), "a");
}

TEST(SqliteStatementCache, NestedUseOfTheSameSqlGetsItsOwnStatement) {
  auto db = SqliteDatabase::open(":memory:", 1000);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("CREATE TABLE t (k TEXT); INSERT INTO t VALUES ('x'), ('y');").ok());
  auto outer = db->prepare("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(*outer->step());
  auto inner = db->prepare("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(inner.ok());
  ASSERT_TRUE(*inner->step());
  EXPECT_EQ(inner->column_text(0), "x");
  ASSERT_TRUE(*outer->step());  // the outer cursor was not disturbed
  EXPECT_EQ(outer->column_text(0), "y");
}

}  // namespace
}  // namespace dirmail::directory
