#include "metrics_endpoint.hpp"

#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "dirmail/base/log.hpp"
#include "dirmail/base/metrics.hpp"
#include "dirmail/net/http_request.hpp"
#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/session_control.hpp"
#include "dirmail/net/socket_deadline.hpp"

namespace dirmail::daemon {
namespace {

constexpr auto request_timeout = std::chrono::seconds(10);
constexpr auto write_timeout = std::chrono::seconds(30);

std::string response(int status, std::string_view reason, std::string_view content_type, std::string_view body,
                     bool head_only, std::string_view extra_fields = {}) {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n{}Connection: close\r\n\r\n",
      status, reason, content_type, body.size(), extra_fields);
  if (!head_only) out += body;
  return out;
}

std::string error_response(int status, std::string_view reason, bool head_only = false,
                           std::string_view extra_fields = {}) {
  return response(status, reason, "text/plain; charset=utf-8", fmt::format("{} {}\n", status, reason), head_only,
                  extra_fields);
}

std::string answer(const net::HttpRequest& request) {
  const bool head = request.method == "HEAD";
  if (request.method != "GET" && !head) return error_response(405, "Method Not Allowed", false, "Allow: GET, HEAD\r\n");
  if (request.path() != "/metrics") return error_response(404, "Not Found", head);
  return response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics::registry().render(), head);
}

// The head, line by line until the empty line; {} and `refusal` set when it breaks a
// limit or the client goes away (or the session's deadline cancels the read).
net::awaitable<std::optional<std::string>> read_head(net::LineReader& reader, std::string& refusal) {
  std::string head;
  std::size_t read = 0;  // bytes of the head so far, empty lines included
  for (std::size_t fields = 0;;) {
    auto line = co_await reader.read_line(request_timeout);
    if (!line) co_return std::nullopt;
    read += line->text.size() + 2;
    if (line->truncated || read > net::kMaxHttpHeadBytes) {
      refusal = error_response(431, "Request Header Fields Too Large");
      co_return std::nullopt;
    }
    if (line->text.empty()) {
      if (head.empty()) continue;  // RFC 9112 §2.2: empty lines before the request line are ignored
      co_return head;
    }
    if (!head.empty() && ++fields > net::kMaxHttpHeaderFields) {
      refusal = error_response(431, "Request Header Fields Too Large");
      co_return std::nullopt;
    }
    head.append(line->text);
    head += '\n';
  }
}

}  // namespace

net::awaitable<void> run_metrics_session(net::Connection c) {
  net::OutputBuffer out;
  if (c.over_limit) {
    out.append(error_response(503, "Service Unavailable"));
    co_await net::close_connection(out, c.stream);
    co_return;
  }
  net::LineReader reader(c.stream, net::kMaxHttpHeadBytes);
  std::string refusal;
  // One deadline for the whole head: the reader's own restarts with every byte, so a
  // client trickling a byte at a time could otherwise hold the connection for hours.
  net::SocketDeadline whole_head(c.stream.socket());
  whole_head.arm(request_timeout);
  auto head = co_await read_head(reader, refusal);
  whole_head.disarm();
  if (head) {
    auto parsed = net::parse_http_request_head(*head);
    if (auto* request = std::get_if<net::HttpRequest>(&parsed)) {
      out.append(answer(*request));
    } else {
      const auto& error = std::get<net::HttpHeadError>(parsed);
      const int status = static_cast<int>(error.status);
      out.append(error_response(status, status == 400   ? "Bad Request"
                                        : status == 431 ? "Request Header Fields Too Large"
                                                        : "HTTP Version Not Supported"));
      log::LogLine(log::service("metrics"), log::Record::session).with("session", c.session_id)
          .with("client", c.peer_address).with("error", error.reason).warn("refused: malformed HTTP request");
    }
  } else if (!refusal.empty()) {
    out.append(refusal);
  }
  if (!out.empty()) (void)co_await out.flush(c.stream, write_timeout);
  co_await net::close_connection(out, c.stream);
}

}  // namespace dirmail::daemon
