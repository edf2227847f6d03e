#include "dirmail/smtp/received_template.hpp"

#include <gtest/gtest.h>

namespace dirmail::smtp {
namespace {

ReceivedValues sample() {
  ReceivedValues v;
  v.helo = "client.example.org";
  v.client_ip = "192.0.2.7";
  v.host = "mail.example.test";
  v.protocol = "ESMTPS";
  v.tls = "TLSv1.3 TLS_AES_256_GCM_SHA384";
  v.id = "0123ABCD";
  v.recipient = "bob@example.test";
  v.date = "Fri, 27 Nov 2026 08:00:00 +0000";
  return v;
}

TEST(ReceivedTemplate, TheBuiltInOneGivesTheUsualField) {
  auto t = ReceivedTemplate::parse(default_received_template);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->render(sample()),
            "Received: from client.example.org ([192.0.2.7])\r\n\tby mail.example.test (dirmail) with ESMTPS id "
            "0123ABCD\r\n\tfor <bob@example.test>; Fri, 27 Nov 2026 08:00:00 +0000\r\n");
  auto v = sample();
  v.recipient.clear();  // several recipients: no "for" clause
  EXPECT_EQ(t->render(v).find("for <"), std::string::npos);
}

TEST(ReceivedTemplate, EveryPlaceholderAndAPercentSign) {
  auto t = ReceivedTemplate::parse("%HELO%|%CLIENT_IP%|%HOST%|%PROTOCOL%|%TLS%|%ID%|%DATE%|100%%");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->render(sample()),
            "Received: client.example.org|192.0.2.7|mail.example.test|ESMTPS|TLSv1.3 TLS_AES_256_GCM_SHA384|"
            "0123ABCD|Fri, 27 Nov 2026 08:00:00 +0000|100%\r\n");
}

TEST(ReceivedTemplate, LineBreaksFoldWithATab) {
  auto t = ReceivedTemplate::parse("from %HELO%\n    by %HOST%");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->render(sample()), "Received: from client.example.org\r\n\tby mail.example.test\r\n");
}

TEST(ReceivedTemplate, TheClientCannotEndTheFieldOrStartAnother) {
  auto t = ReceivedTemplate::parse(default_received_template);
  ASSERT_TRUE(t.ok());
  auto v = sample();
  v.helo = "evil\r\nX-Injected: yes\rBcc: x@y\n\x01";
  std::string field = t->render(v);
  EXPECT_EQ(field.find("\r\nX-Injected"), std::string::npos) << field;
  EXPECT_EQ(field.find('\x01'), std::string::npos);
  EXPECT_NE(field.find("evilX-Injected: yesBcc: x@y"), std::string::npos) << field;
  v.helo = std::string(10000, 'a');  // bounded
  EXPECT_LT(t->render(v).size(), 1000u);
}

TEST(ReceivedTemplate, BadTemplatesAreRefusedWithTheReason) {
  auto unknown = ReceivedTemplate::parse("from %HELLO%");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown placeholder %HELLO%"), std::string::npos);
  auto lone = ReceivedTemplate::parse("100% sure");
  ASSERT_FALSE(lone.ok());
  EXPECT_NE(lone.error().message.find("closing %"), std::string::npos);
  EXPECT_FALSE(ReceivedTemplate::parse("").ok());
  EXPECT_FALSE(ReceivedTemplate::parse(std::string(2001, 'x')).ok());
  EXPECT_FALSE(ReceivedTemplate::parse("a\x01" "b").ok());
}

}  // namespace
}  // namespace dirmail::smtp
