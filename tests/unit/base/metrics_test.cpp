#include "dirmail/base/metrics.hpp"

#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace dirmail::metrics {
namespace {

TEST(Metrics, RendersFamiliesSortedWithHelpTypeAndLabels) {
  Registry r;
  auto& sessions = r.family("test_sessions_total", "Sessions accepted.", Kind::counter, {"service"});
  sessions.with({"smtp"}).add();
  sessions.with({"smtp"}).add(2);
  sessions.with({"imap"}).add();
  r.family("test_alpha", "A gauge.", Kind::gauge).value().set(-4);
  EXPECT_EQ(r.render(),
            "# HELP test_alpha A gauge.\n"
            "# TYPE test_alpha gauge\n"
            "test_alpha -4\n"
            "# HELP test_sessions_total Sessions accepted.\n"
            "# TYPE test_sessions_total counter\n"
            "test_sessions_total{service=\"imap\"} 1\n"
            "test_sessions_total{service=\"smtp\"} 3\n");
}

TEST(Metrics, UnusedFamilyIsLeftOut) {
  Registry r;
  r.family("test_unused_total", "Nothing yet.", Kind::counter, {"reason"});
  EXPECT_EQ(r.render(), "");
}

TEST(Metrics, SameNameGivesSameFamilyAndConflictsThrow) {
  Registry r;
  auto& a = r.family("test_x_total", "x", Kind::counter, {"a"});
  EXPECT_EQ(&a, &r.family("test_x_total", "x", Kind::counter, {"a"}));
  EXPECT_THROW(r.family("test_x_total", "x", Kind::gauge, {"a"}), std::logic_error);
  EXPECT_THROW(r.family("test_x_total", "x", Kind::counter, {"b"}), std::logic_error);
  EXPECT_THROW(a.with({"1", "2"}), std::logic_error);
}

TEST(Metrics, ScaleTurnsMicrosecondsIntoSeconds) {
  Registry r;
  r.family("test_seconds", "s", Kind::gauge, {}, 1e-6).value().set(1500000);
  EXPECT_NE(r.render().find("test_seconds 1.5\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry r;
  r.family("test_e", "h\\elp\nline", Kind::gauge, {"v"}).with({"a\"b\\c\nd"}).set(1);
  std::string text = r.render();
  EXPECT_NE(text.find("# HELP test_e h\\\\elp\\nline\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_e{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, CollectorsAddSamplesUntilTheirHandleGoes) {
  Registry r;
  int calls = 0;
  {
    auto handle = r.add_collector([&](Samples& s) {
      ++calls;
      s.add("test_queue_messages", "Queued.", Kind::gauge, {}, 7);
      s.add("test_dc_up", "Up.", Kind::gauge, {{"dc", "ldap://dc1"}}, 1);
      s.add("test_dc_up", "ignored", Kind::gauge, {{"dc", "ldap://dc2"}}, 0);
    });
    std::string text = r.render();
    EXPECT_NE(text.find("test_queue_messages 7\n"), std::string::npos);
    EXPECT_NE(text.find("# HELP test_dc_up Up.\n# TYPE test_dc_up gauge\ntest_dc_up{dc=\"ldap://dc1\"} 1\n"
                        "test_dc_up{dc=\"ldap://dc2\"} 0\n"),
              std::string::npos)
        << text;
  }
  EXPECT_EQ(r.render(), "");
  EXPECT_EQ(calls, 1);
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  Registry r;
  auto& f = r.family("test_c_total", "c", Kind::counter, {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) f.with({"x"}).add();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(f.with({"x"}).get(), 40000);
}

TEST(Metrics, SampleValuesFormat) {
  EXPECT_EQ(format_sample_value(3), "3");
  EXPECT_EQ(format_sample_value(0.25), "0.25");
  EXPECT_EQ(format_sample_value(1.0 / 0.0), "+Inf");
}

}  // namespace
}  // namespace dirmail::metrics
