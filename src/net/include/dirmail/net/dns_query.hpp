#pragma once
// Asking DNS servers with c-ares: the one place that owns a c-ares channel. Callers
// (DC discovery's SRV lookups, delivery's MX and address lookups) hand over their
// questions and get the raw replies back to parse. Blocking, bounded by a deadline:
// call it from a worker thread.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::net {

// A DNS server as written in settings: "ADDRESS" or "ADDRESS PORT", the address an
// IPv4 or IPv6 literal ("192.0.2.53", "::1 5353").
struct DnsServer {
  std::string address;
  std::uint16_t port = 53;
  bool ipv6 = false;
};

// invalid_argument with the reason when `entry` is not "ADDRESS" or "ADDRESS PORT".
Result<DnsServer> parse_dns_server(std::string_view entry);

struct DnsQueryOptions {
  std::vector<DnsServer> servers;           // asked in order; empty: /etc/resolv.conf
  std::chrono::milliseconds timeout{5000};  // one server's first try; c-ares doubles it per round
  int tries = 2;                            // rounds over the servers
  // Bound of one ask_dns call: unanswered questions then count as timed out.
  // 0: the sum of c-ares' per-try timeouts (see worst_case_wait).
  std::chrono::milliseconds deadline{0};
};

// What c-ares' own schedule can take at most: every server, every round, the
// timeout doubling each round.
std::chrono::milliseconds worst_case_wait(const DnsQueryOptions& options);

enum class DnsType : std::uint16_t { a = 1, cname = 5, mx = 15, aaaa = 28, srv = 33 };

struct DnsQuestion {
  std::string name;  // asked as is (no search list)
  DnsType type = DnsType::a;
};

enum class DnsStatus {
  answered,        // NOERROR with answer records
  no_data,         // NOERROR without answers: the name exists, the type does not
  no_such_name,    // NXDOMAIN
  server_failure,  // SERVFAIL
  refused,         // REFUSED, NOTIMP, FORMERR: this server will not answer this
  timed_out,       // no answer from any server in time
  unreachable,     // no server gave a usable answer: nothing listens, or (c-ares 1.18)
                   // the last one said SERVFAIL, NOTIMP or REFUSED
  bad_reply,       // a reply c-ares could not read
  bad_name,        // the name cannot be asked (a label over 63 octets, ...)
  failed,          // anything else (out of memory, ...)
};

// "no such name", "timed out", ...
std::string_view to_string(DnsStatus status);

// Temporary: asking again later may give another answer (SERVFAIL, timeouts, ...).
// no_such_name and no_data are answers; bad_name never changes.
bool is_temporary(DnsStatus status);

struct DnsReply {
  DnsStatus status = DnsStatus::failed;
  std::vector<unsigned char> message;  // the whole DNS message (answered, no_data, no_such_name)
};

// Asks all questions at once, over one channel. One reply per question, in order. An
// error only when the question cannot be asked at all (c-ares will not start, or a
// server is not usable): invalid_argument or temporary_failure.
Result<std::vector<DnsReply>> ask_dns(const DnsQueryOptions& options, const std::vector<DnsQuestion>& questions);

// What users of DNS hold, so that tests can answer in place of the servers.
class DnsClient {
 public:
  virtual ~DnsClient() = default;
  // As ask_dns. Safe to call from several threads at once.
  virtual Result<std::vector<DnsReply>> ask(const std::vector<DnsQuestion>& questions) = 0;
};

// The real servers, through ask_dns (a channel per call).
class CaresDnsClient final : public DnsClient {
 public:
  explicit CaresDnsClient(DnsQueryOptions options) : options_(std::move(options)) {}
  Result<std::vector<DnsReply>> ask(const std::vector<DnsQuestion>& questions) override {
    return ask_dns(options_, questions);
  }
  const DnsQueryOptions& options() const { return options_; }

 private:
  DnsQueryOptions options_;
};

}  // namespace dirmail::net
