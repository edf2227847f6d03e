#include "dirmail/net/http_request.hpp"

#include <string>

#include <gtest/gtest.h>

namespace dirmail::net {
namespace {

HttpRequest accepted(std::string_view head) {
  auto parsed = parse_http_request_head(head);
  if (auto* e = std::get_if<HttpHeadError>(&parsed)) ADD_FAILURE() << head << ": " << e->reason;
  return std::holds_alternative<HttpRequest>(parsed) ? std::get<HttpRequest>(parsed) : HttpRequest{};
}

HttpHeadError refused(std::string_view head) {
  auto parsed = parse_http_request_head(head);
  if (!std::holds_alternative<HttpHeadError>(parsed)) {
    ADD_FAILURE() << head << " accepted";
    return {};
  }
  return std::get<HttpHeadError>(parsed);
}

TEST(HttpRequestHead, PrometheusScrape) {
  auto r = accepted("GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9154\r\nUser-Agent:  Prometheus/2.42.0 \r\n");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/metrics?x=1");
  EXPECT_EQ(r.path(), "/metrics");
  EXPECT_EQ(r.version, "HTTP/1.1");
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[0].first, "host");
  EXPECT_EQ(r.fields[1].second, "Prometheus/2.42.0");
}

TEST(HttpRequestHead, BareLineFeedsAndHttp10) { EXPECT_EQ(accepted("HEAD / HTTP/1.0\n").method, "HEAD"); }

TEST(HttpRequestHead, MalformedHeadsAreBadRequests) {
  for (std::string_view head : {"", "GET /metrics\r\n", "GET  /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1",
                                "GET http://x/metrics HTTP/1.1\r\n", "G(T /metrics HTTP/1.1\r\n",
                                "GET /met\x01rics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\n folded: x\r\n",
                                "GET /metrics HTTP/1.1\r\nno colon\r\n", "GET /metrics HTTP/1.1\r\nBad Name: x\r\n",
                                "GET /metrics HTTP/1.1\r\nX: a\x7f\r\n", "GET /metrics HTTP/x.y\r\n"})
    EXPECT_EQ(refused(head).status, HttpRefusal::bad_request) << head;
}

TEST(HttpRequestHead, OtherVersionsAreRefusedAsSuch) {
  EXPECT_EQ(refused("GET / HTTP/2.0\r\n").status, HttpRefusal::version_not_supported);
}

TEST(HttpRequestHead, LimitsHold) {
  std::string head = "GET / HTTP/1.1\r\n";
  for (std::size_t i = 0; i <= kMaxHttpHeaderFields; ++i) head += "X-A: b\r\n";
  EXPECT_EQ(refused(head).status, HttpRefusal::too_large);
  std::string big = "GET /" + std::string(kMaxHttpHeadBytes, 'a') + " HTTP/1.1\r\n";
  EXPECT_EQ(refused(big).status, HttpRefusal::too_large);
}

}  // namespace
}  // namespace dirmail::net
