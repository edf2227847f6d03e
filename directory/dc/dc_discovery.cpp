#include "dirmail/directory/dc_discovery.hpp"

#include <ares.h>
#include <poll.h>

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"

namespace dirmail::directory {
namespace {

constexpr std::size_t max_targets = 64;

struct Answer {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<SrvTarget> targets;
};

void on_srv(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  auto* answer = static_cast<Answer*>(arg);
  answer->done = true;
  answer->status = status;
  if (status != ARES_SUCCESS) return;
  struct ares_srv_reply* reply = nullptr;
  answer->status = ares_parse_srv_reply(abuf, alen, &reply);
  if (answer->status != ARES_SUCCESS) return;
  for (auto* r = reply; r != nullptr && answer->targets.size() < max_targets; r = r->next) {
    std::string host = r->host ? r->host : "";
    if (host.empty() || host == ".") continue;  // "no service here"
    answer->targets.push_back(SrvTarget{host, r->port, r->priority, r->weight});
  }
  ares_free_data(reply);
}

// c-ares wants ares_library_init once per process.
Status init_library() {
  static int rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) return make_error(ErrorCode::internal, std::string("c-ares: ") + ares_strerror(rc));
  return ok_status();
}

Result<std::vector<SrvTarget>> query_srv(const DcDiscoveryOptions& options, const std::string& name) {
  ares_channel channel = nullptr;
  struct ares_options opts {};
  opts.timeout = static_cast<int>(std::max<std::int64_t>(100, options.timeout.count() / 2));
  opts.tries = 2;
  int rc = ares_init_options(&channel, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (rc != ARES_SUCCESS) return make_error(ErrorCode::temporary_failure, std::string("c-ares: ") + ares_strerror(rc));
  if (!options.dns_server.empty()) {
    auto parts = split(options.dns_server, ' ');
    std::string csv = parts.size() == 2 ? fmt::format("{}:{}", parts[0], parts[1]) : std::string(parts[0]);
    if (csv.find(':') != std::string::npos && csv.find('.') == std::string::npos) csv = "[" + csv + "]";
    rc = ares_set_servers_ports_csv(channel, csv.c_str());
    if (rc != ARES_SUCCESS) {
      ares_destroy(channel);
      return make_error(ErrorCode::invalid_argument,
                        "directory.dns_server \"" + options.dns_server + "\": " + ares_strerror(rc));
    }
  }
  Answer answer;
  ares_query(channel, name.c_str(), 1 /* C_IN */, 33 /* T_SRV */, on_srv, &answer);
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (!answer.done && std::chrono::steady_clock::now() < deadline) {
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    int mask = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
    std::vector<pollfd> fds;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(mask, i)) events |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(mask, i)) events |= POLLOUT;
      if (events) fds.push_back(pollfd{socks[i], events, 0});
    }
    struct timeval tv {};
    struct timeval* t = ares_timeout(channel, nullptr, &tv);
    int wait_ms = t ? static_cast<int>(t->tv_sec * 1000 + t->tv_usec / 1000) : 100;
    ::poll(fds.data(), fds.size(), std::max(1, wait_ms));
    for (const auto& p : fds)
      ares_process_fd(channel, (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD,
                      (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD);
    if (fds.empty()) ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  }
  ares_destroy(channel);  // runs the callback with ARES_EDESTRUCTION if still pending
  if (!answer.done || answer.status == ARES_ETIMEOUT || answer.status == ARES_ECONNREFUSED ||
      answer.status == ARES_ESERVFAIL || answer.status == ARES_EDESTRUCTION)
    return make_error(ErrorCode::temporary_failure, "DNS did not answer for " + name);
  if (answer.status == ARES_ENOTFOUND || answer.status == ARES_ENODATA) return std::vector<SrvTarget>{};
  if (answer.status != ARES_SUCCESS)
    return make_error(ErrorCode::temporary_failure, name + ": " + ares_strerror(answer.status));
  return answer.targets;
}

}  // namespace

namespace {

std::vector<SrvTarget> without_duplicates(std::vector<SrvTarget> targets) {
  std::vector<SrvTarget> out;
  for (auto& t : targets) {
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const SrvTarget& o) { return iequals(o.host, t.host) && o.port == t.port; });
    if (!seen) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::vector<SrvTarget> order_srv_targets(std::vector<SrvTarget> targets) {
  std::stable_sort(targets.begin(), targets.end(), [](const SrvTarget& a, const SrvTarget& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.weight > b.weight;
  });
  return without_duplicates(std::move(targets));
}

Result<std::vector<SrvTarget>> discover_domain_controllers(const DcDiscoveryOptions& options) {
  DIRMAIL_TRY(init_library());
  if (options.realm.empty()) return make_error(ErrorCode::invalid_argument, "directory.realm is not set");
  std::vector<SrvTarget> all;
  if (!options.site.empty()) {
    auto site = query_srv(options, fmt::format("_ldap._tcp.{}._sites.dc._msdcs.{}", options.site, options.realm));
    if (site) all = order_srv_targets(std::move(*site));
  }
  auto domain = query_srv(options, fmt::format("_ldap._tcp.dc._msdcs.{}", options.realm));
  if (!domain && all.empty()) return std::move(domain).error();
  if (domain) {
    for (auto& t : order_srv_targets(std::move(*domain))) all.push_back(std::move(t));
    all = without_duplicates(std::move(all));  // site DCs keep their place in front
  }
  if (all.empty()) return make_error(ErrorCode::not_found, "no _ldap._tcp.dc._msdcs." + options.realm + " SRV record");
  return all;
}

std::vector<std::string> domain_controller_uris(const std::vector<SrvTarget>& targets, bool ldaps) {
  std::vector<std::string> uris;
  for (const auto& t : targets)
    uris.push_back(ldaps ? fmt::format("ldaps://{}", t.host) : fmt::format("ldap://{}:{}", t.host, t.port));
  return uris;
}

}  // namespace dirmail::directory
