#include "dirmail/delivery/dns_answer.hpp"

#include <gtest/gtest.h>

#include "dns_message_builder.hpp"

namespace dirmail::delivery {
namespace {

using testing::DnsMessageBuilder;
using net::DnsType;

TEST(DnsAnswer, MxRecordsWithPreferenceAndTtl) {
  auto msg = DnsMessageBuilder("example.test", 15)
                 .mx("example.test", 20, "MX2.example.test", 600)
                 .mx("example.test", 10, "mx1.example.test", 300)
                 .bytes();
  auto answer = read_dns_answer(msg, "example.test", DnsType::mx);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->mx.size(), 2u);
  EXPECT_EQ(answer->mx[0].exchange, "mx2.example.test");  // lower case
  EXPECT_EQ(answer->mx[0].preference, 20);
  EXPECT_EQ(answer->mx[0].ttl, 600u);
  EXPECT_EQ(answer->mx[1].exchange, "mx1.example.test");
  EXPECT_EQ(answer->mx[1].ttl, 300u);
}

TEST(DnsAnswer, NullMxIsTheRoot) {
  auto msg = DnsMessageBuilder("nomail.test", 15).mx("nomail.test", 0, "").bytes();
  auto answer = read_dns_answer(msg, "nomail.test", DnsType::mx);
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->mx.size(), 1u);
  EXPECT_EQ(answer->mx[0].exchange, "");
}

TEST(DnsAnswer, CompressedExchangeName) {
  // The exchange "mx" + pointer to the question name at offset 12.
  std::vector<unsigned char> rr;
  DnsMessageBuilder::append_name(rr, "example.test");
  rr.insert(rr.end(), {0, 15, 0, 1, 0, 0, 1, 44, 0, 7, 0, 5, 2, 'm', 'x', 0xC0, 12});
  auto msg = DnsMessageBuilder("example.test", 15).raw_record(rr).bytes();
  auto answer = read_dns_answer(msg, "example.test", DnsType::mx);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_EQ(answer->mx.size(), 1u);
  EXPECT_EQ(answer->mx[0].exchange, "mx.example.test");
  EXPECT_EQ(answer->mx[0].preference, 5);
}

TEST(DnsAnswer, FollowsCnamesAndIgnoresOtherOwners) {
  auto msg = DnsMessageBuilder("mail.example.test", 1)
                 .cname("mail.example.test", "host.example.net", 60)
                 .a("host.example.net", "192.0.2.7", 300)
                 .a("unrelated.example.org", "192.0.2.66", 300)
                 .bytes();
  auto answer = read_dns_answer(msg, "mail.example.test.", DnsType::a);
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->addresses.size(), 1u);
  EXPECT_EQ(answer->addresses[0].ip, "192.0.2.7");
  EXPECT_EQ(answer->cname_ttl, 60u);
}

TEST(DnsAnswer, CnameLoopEnds) {
  auto msg = DnsMessageBuilder("a.test", 1).cname("a.test", "b.test").cname("b.test", "a.test").bytes();
  auto answer = read_dns_answer(msg, "a.test", DnsType::a);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->addresses.empty());
}

TEST(DnsAnswer, Ipv6Addresses) {
  auto msg = DnsMessageBuilder("mx.test", 28).aaaa("mx.test", "2001:db8::25").bytes();
  auto answer = read_dns_answer(msg, "mx.test", DnsType::aaaa);
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->addresses.size(), 1u);
  EXPECT_EQ(answer->addresses[0].ip, "2001:db8::25");
  EXPECT_TRUE(answer->addresses[0].ipv6);
}

TEST(DnsAnswer, AddressOfTheWrongLengthIsIgnored) {
  auto msg = DnsMessageBuilder("mx.test", 1).record("mx.test", 1, 300, {127, 0, 0}).a("mx.test", "127.0.0.9").bytes();
  auto answer = read_dns_answer(msg, "mx.test", DnsType::a);
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->addresses.size(), 1u);
  EXPECT_EQ(answer->addresses[0].ip, "127.0.0.9");
  EXPECT_EQ(answer->ignored, 1u);
}

TEST(DnsAnswer, TtlWithTheTopBitSetCountsAsZero) {
  auto msg = DnsMessageBuilder("mx.test", 1).a("mx.test", "127.0.0.9", 0x80000000u).bytes();
  auto answer = read_dns_answer(msg, "mx.test", DnsType::a);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->addresses.at(0).ttl, 0u);
}

TEST(DnsAnswer, UnusableExchangeNamesAreIgnored) {
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'x') + ".";
  long_name += "test";  // 309 characters
  auto msg = DnsMessageBuilder("example.test", 15)
                 .mx("example.test", 10, long_name)
                 .mx("example.test", 10, "bad name.test")
                 .mx("example.test", 20, "good.test")
                 .bytes();
  auto answer = read_dns_answer(msg, "example.test", DnsType::mx);
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->mx.size(), 1u);
  EXPECT_EQ(answer->mx[0].exchange, "good.test");
  EXPECT_EQ(answer->ignored, 2u);
}

TEST(DnsAnswer, RecordsPastTheLimitAreIgnored) {
  DnsMessageBuilder b("many.test", 1);
  for (int i = 0; i < 150; ++i) b.a("many.test", "127.0.0." + std::to_string(i));
  auto answer = read_dns_answer(b.bytes(), "many.test", DnsType::a);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->addresses.size(), kMaxAnswerRecords);
  EXPECT_EQ(answer->ignored, 150 - kMaxAnswerRecords);
}

TEST(DnsAnswer, MalformedMessagesAreProtocolErrors) {
  auto good = DnsMessageBuilder("example.test", 15).mx("example.test", 10, "mx.example.test").bytes();
  for (std::size_t cut : {std::size_t{5}, std::size_t{20}, good.size() - 3}) {
    std::vector<unsigned char> truncated(good.begin(), good.begin() + static_cast<long>(cut));
    auto answer = read_dns_answer(truncated, "example.test", DnsType::mx);
    ASSERT_FALSE(answer.ok()) << cut;
    EXPECT_EQ(answer.error().code, ErrorCode::protocol_error);
  }
  auto query = good;
  query[2] &= 0x7f;  // the QR bit: a question, not a reply
  EXPECT_FALSE(read_dns_answer(query, "example.test", DnsType::mx).ok());
  std::vector<unsigned char> huge(kMaxDnsMessage + 1, 0);
  EXPECT_FALSE(read_dns_answer(huge, "example.test", DnsType::mx).ok());
}

TEST(DnsAnswer, UsableHostNames) {
  EXPECT_TRUE(is_usable_host_name("mx1.example.test"));
  EXPECT_TRUE(is_usable_host_name("_dmarc-x.example"));
  EXPECT_FALSE(is_usable_host_name(""));
  EXPECT_FALSE(is_usable_host_name("a..b"));
  EXPECT_FALSE(is_usable_host_name(".a"));
  EXPECT_FALSE(is_usable_host_name("[192.0.2.1]"));
  EXPECT_FALSE(is_usable_host_name(std::string(64, 'a') + ".test"));
  EXPECT_FALSE(is_usable_host_name("bücher.test"));
}

}  // namespace
}  // namespace dirmail::delivery
