#include "dirmail/net/dns_query.hpp"

#include <arpa/inet.h>
#include <ares.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace dirmail::net {
namespace {

// Longer than any IPv6 literal and port; keeps inet_pton's input bounded.
constexpr std::size_t kMaxServerEntry = 128;

Error bad_server(std::string reason) { return make_error(ErrorCode::invalid_argument, std::move(reason)); }

// c-ares wants ares_library_init once per process, before any channel.
Status init_library() {
  static const int rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) return make_error(ErrorCode::internal, std::string("c-ares: ") + ares_strerror(rc));
  return ok_status();
}

DnsStatus status_of(int ares_status) {
  switch (ares_status) {
    case ARES_SUCCESS: return DnsStatus::answered;
    case ARES_ENODATA: return DnsStatus::no_data;
    case ARES_ENOTFOUND: return DnsStatus::no_such_name;
    case ARES_ESERVFAIL: return DnsStatus::server_failure;
    case ARES_EREFUSED:
    case ARES_ENOTIMP:
    case ARES_EFORMERR: return DnsStatus::refused;
    case ARES_ETIMEOUT:
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED: return DnsStatus::timed_out;
    case ARES_ECONNREFUSED: return DnsStatus::unreachable;
    case ARES_EBADRESP: return DnsStatus::bad_reply;
    case ARES_EBADNAME: return DnsStatus::bad_name;
    default: return DnsStatus::failed;
  }
}

struct Pending {
  DnsReply* reply = nullptr;
  bool done = false;
  std::size_t* open = nullptr;
};

void on_reply(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  auto* p = static_cast<Pending*>(arg);
  if (p->done) return;
  p->done = true;
  --*p->open;
  p->reply->status = status_of(status);
  if (abuf != nullptr && alen > 0) p->reply->message.assign(abuf, abuf + alen);
}

// The sockets c-ares wants watched, as it reports them (no fixed-size array to outgrow).
void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
  auto& watched = *static_cast<std::map<ares_socket_t, short>*>(data);
  short events = static_cast<short>((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
  if (events == 0) {
    watched.erase(fd);
  } else {
    watched[fd] = events;
  }
}

class Channel {
 public:
  ~Channel() {
    if (channel_ != nullptr) ares_destroy(channel_);
  }
  ares_channel get() const { return channel_; }
  ares_channel* out() { return &channel_; }
  // Ends every open query (their callbacks run with ARES_EDESTRUCTION).
  void destroy() {
    if (channel_ != nullptr) ares_destroy(channel_);
    channel_ = nullptr;
  }

 private:
  ares_channel channel_ = nullptr;
};

Status use_servers(ares_channel channel, const std::vector<DnsServer>& servers) {
  std::vector<ares_addr_port_node> nodes(servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) {
    ares_addr_port_node& n = nodes[i];
    n.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
    n.udp_port = n.tcp_port = servers[i].port;
    n.family = servers[i].ipv6 ? AF_INET6 : AF_INET;
    void* addr = servers[i].ipv6 ? static_cast<void*>(&n.addr.addr6) : static_cast<void*>(&n.addr.addr4);
    if (inet_pton(n.family, servers[i].address.c_str(), addr) != 1)
      return bad_server("\"" + servers[i].address + "\" is not an IP address");
  }
  int rc = ares_set_servers_ports(channel, nodes.empty() ? nullptr : nodes.data());
  if (rc != ARES_SUCCESS) return make_error(ErrorCode::temporary_failure, std::string("c-ares: ") + ares_strerror(rc));
  return ok_status();
}

std::size_t server_count(ares_channel channel) {
  ares_addr_port_node* list = nullptr;
  if (ares_get_servers_ports(channel, &list) != ARES_SUCCESS) return 1;
  std::size_t n = 0;
  for (auto* s = list; s != nullptr; s = s->next) ++n;
  ares_free_data(list);
  return std::max<std::size_t>(n, 1);
}

std::chrono::milliseconds worst_case_wait(std::chrono::milliseconds timeout, int tries, std::size_t servers) {
  const int rounds = std::clamp(tries, 1, 16);
  return timeout * ((1 << rounds) - 1) * static_cast<long>(std::max<std::size_t>(servers, 1));
}

}  // namespace

Result<DnsServer> parse_dns_server(std::string_view entry) {
  if (entry.size() > kMaxServerEntry) return bad_server("longer than 128 characters");
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < entry.size()) {
    while (i < entry.size() && blank(entry[i])) ++i;
    std::size_t begin = i;
    while (i < entry.size() && !blank(entry[i])) ++i;
    if (i > begin) words.push_back(entry.substr(begin, i - begin));
  }
  if (words.empty() || words.size() > 2)
    return bad_server("\"" + std::string(entry) + "\" is not \"ADDRESS\" or \"ADDRESS PORT\"");
  DnsServer server;
  server.address = std::string(words[0]);
  in6_addr buffer{};
  if (inet_pton(AF_INET, server.address.c_str(), &buffer) == 1) {
    server.ipv6 = false;
  } else if (inet_pton(AF_INET6, server.address.c_str(), &buffer) == 1) {
    server.ipv6 = true;
  } else {
    return bad_server("\"" + server.address + "\" is not an IPv4 or IPv6 address");
  }
  if (words.size() == 2) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(words[1].data(), words[1].data() + words[1].size(), port);
    if (ec != std::errc{} || end != words[1].data() + words[1].size() || port < 1 || port > 65535)
      return bad_server("port \"" + std::string(words[1]) + "\" is not a number in 1..65535");
    server.port = static_cast<std::uint16_t>(port);
  }
  return server;
}

std::chrono::milliseconds worst_case_wait(const DnsQueryOptions& options) {
  return worst_case_wait(options.timeout, options.tries, options.servers.size());
}

std::string_view to_string(DnsStatus status) {
  switch (status) {
    case DnsStatus::answered: return "answered";
    case DnsStatus::no_data: return "no records of that type";
    case DnsStatus::no_such_name: return "no such name";
    case DnsStatus::server_failure: return "server failure";
    case DnsStatus::refused: return "refused";
    case DnsStatus::timed_out: return "timed out";
    case DnsStatus::unreachable: return "no usable answer from the DNS servers";
    case DnsStatus::bad_reply: return "malformed reply";
    case DnsStatus::bad_name: return "not a valid DNS name";
    case DnsStatus::failed: return "failed";
  }
  return "failed";
}

bool is_temporary(DnsStatus status) {
  return status != DnsStatus::answered && status != DnsStatus::no_data && status != DnsStatus::no_such_name &&
         status != DnsStatus::bad_name;
}

Result<std::vector<DnsReply>> ask_dns(const DnsQueryOptions& options, const std::vector<DnsQuestion>& questions) {
  DIRMAIL_TRY(init_library());
  std::map<ares_socket_t, short> watched;
  Channel channel;
  struct ares_options opts {};
  opts.timeout = static_cast<int>(std::clamp<std::int64_t>(options.timeout.count(), 1, 600000));
  opts.tries = std::clamp(options.tries, 1, 16);
  opts.sock_state_cb = on_socket_state;
  opts.sock_state_cb_data = &watched;
  int rc = ares_init_options(channel.out(), &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
  if (rc != ARES_SUCCESS) return make_error(ErrorCode::temporary_failure, std::string("c-ares: ") + ares_strerror(rc));
  if (!options.servers.empty()) DIRMAIL_TRY(use_servers(channel.get(), options.servers));

  std::vector<DnsReply> replies(questions.size());
  std::vector<Pending> pending(questions.size());
  std::size_t open = questions.size();
  for (std::size_t i = 0; i < questions.size(); ++i) {
    pending[i] = Pending{&replies[i], false, &open};
    ares_query(channel.get(), questions[i].name.c_str(), 1 /* C_IN */, static_cast<int>(questions[i].type), on_reply,
               &pending[i]);
  }

  auto limit = options.deadline.count() > 0
                   ? options.deadline
                   : worst_case_wait(options.timeout, options.tries, server_count(channel.get()));
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (open > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    struct timeval tv {};
    struct timeval* next = ares_timeout(channel.get(), nullptr, &tv);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    std::int64_t wait_ms = next ? next->tv_sec * 1000 + next->tv_usec / 1000 : left;
    std::vector<pollfd> fds;
    for (const auto& [fd, events] : watched) fds.push_back(pollfd{fd, events, 0});
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<std::int64_t>(wait_ms, 1, left + 1)));
    if (ready <= 0) {
      ares_process_fd(channel.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts and retries
      continue;
    }
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      ares_process_fd(channel.get(), (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD,
                      (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD);
    }
  }
  // Still open: the deadline passed; their callbacks run now and read as timed out.
  channel.destroy();
  return replies;
}

}  // namespace dirmail::net
