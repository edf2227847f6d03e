#include "dirmail/net/dns_query.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

namespace dirmail::net {
namespace {

using namespace std::chrono_literals;

TEST(DnsServerEntry, AddressAndOptionalPort) {
  auto plain = parse_dns_server("192.0.2.53");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->address, "192.0.2.53");
  EXPECT_EQ(plain->port, 53);
  EXPECT_FALSE(plain->ipv6);
  auto v6 = parse_dns_server("  ::1\t5353 ");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->address, "::1");
  EXPECT_EQ(v6->port, 5353);
  EXPECT_TRUE(v6->ipv6);
}

TEST(DnsServerEntry, Refused) {
  for (std::string bad : std::vector<std::string>{"", "dns.example.test", "[::1]:53", "127.0.0.1:53", "127.0.0.1 0", "127.0.0.1 65536",
                          "127.0.0.1 53 54", std::string(200, '1')}) {
    auto s = parse_dns_server(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
  }
}

TEST(DnsQuery, WorstCaseWaitCoversEveryRound) {
  DnsQueryOptions o;
  o.timeout = 100ms;
  o.tries = 3;
  o.servers = {DnsServer{"127.0.0.1", 53, false}, DnsServer{"127.0.0.2", 53, false}};
  EXPECT_EQ(worst_case_wait(o), 1400ms);  // 2 servers x (100 + 200 + 400)
}

// A UDP socket on 127.0.0.1 and a free port.
struct UdpSocket {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  std::uint16_t port = 0;
  UdpSocket() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~UdpSocket() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

DnsQueryOptions to(std::uint16_t port) {
  DnsQueryOptions o;
  o.servers = {DnsServer{"127.0.0.1", port, false}};
  o.timeout = 200ms;
  o.tries = 1;
  return o;
}

TEST(DnsQuery, ASilentServerTimesOut) {
  UdpSocket silent;
  auto replies = ask_dns(to(silent.port), {{"example.test", DnsType::mx}, {"example.test", DnsType::a}});
  ASSERT_TRUE(replies.ok()) << replies.error().message;
  ASSERT_EQ(replies->size(), 2u);
  for (const auto& r : *replies) {
    EXPECT_EQ(r.status, DnsStatus::timed_out);
    EXPECT_TRUE(is_temporary(r.status));
  }
}

TEST(DnsQuery, NothingListeningIsTemporary) {
  UdpSocket gone;
  const auto port = gone.port;
  gone.close();
  auto replies = ask_dns(to(port), {{"example.test", DnsType::mx}});
  ASSERT_TRUE(replies.ok());
  EXPECT_TRUE(is_temporary(replies->front().status)) << to_string(replies->front().status);
}

// Answers one question with `rcode` and, for NOERROR, one A record 127.0.0.9.
void answer_once(int fd, int rcode) {
  unsigned char buf[512];
  sockaddr_in from{};
  socklen_t len = sizeof from;
  ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
  if (n < 12) return;
  std::vector<unsigned char> reply(buf, buf + n);
  reply[2] = 0x81;  // QR, RD
  reply[3] = static_cast<unsigned char>(0x80 | rcode);
  if (rcode == 0) {
    reply[7] = 1;
    reply.insert(reply.end(), {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 9});
  }
  ::sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
}

TEST(DnsQuery, AnAnswerComesBackWhole) {
  UdpSocket server;
  std::thread t(answer_once, server.fd, 0);
  auto replies = ask_dns(to(server.port), {{"mx.example.test", DnsType::a}});
  t.join();
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ(replies->front().status, DnsStatus::answered);
  const auto& m = replies->front().message;
  ASSERT_GE(m.size(), 4u);
  EXPECT_EQ(std::vector<unsigned char>(m.end() - 4, m.end()), (std::vector<unsigned char>{127, 0, 0, 9}));
}

TEST(DnsQuery, NxdomainIsAnAnswer) {
  UdpSocket server;
  std::thread t(answer_once, server.fd, 3);
  auto replies = ask_dns(to(server.port), {{"nowhere.test", DnsType::mx}});
  t.join();
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ(replies->front().status, DnsStatus::no_such_name);
  EXPECT_FALSE(is_temporary(replies->front().status));
}

TEST(DnsQuery, ServfailIsTemporary) {
  UdpSocket server;
  std::thread t(answer_once, server.fd, 2);
  auto replies = ask_dns(to(server.port), {{"broken.test", DnsType::mx}});
  t.join();
  ASSERT_TRUE(replies.ok());
  // c-ares 1.18 reports a SERVFAIL from the last server as a refused connection.
  EXPECT_TRUE(replies->front().status == DnsStatus::server_failure || replies->front().status == DnsStatus::unreachable)
      << to_string(replies->front().status);
  EXPECT_TRUE(is_temporary(replies->front().status));
}

}  // namespace
}  // namespace dirmail::net
