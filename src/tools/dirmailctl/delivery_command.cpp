// dirmailctl delivery send: one outbound SMTP session by hand, through the same client
// the queue runner uses, to check a gateway, a smart host's AUTH or a peer's TLS.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ostream>
#include <sstream>

#include <boost/asio/ip/tcp.hpp>

#include "command_words.hpp"
#include "commands.hpp"
#include "dirmail/delivery/smtp_client.hpp"
#include "dirmail/net/tls_client_context.hpp"

namespace dirmail::ctl {
namespace {

namespace asio = net::asio;
using net::tcp;

constexpr const char* send_usage =
    "usage: dirmailctl delivery send --host HOST [--port 25] --from SENDER --to RCPT[,RCPT...] FILE...\n"
    "         [--helo NAME] [--tls off|opportunistic|required|implicit] [--ca-file PEM] [--tls-name NAME]\n"
    "         [--verify] [--auth-user USER (--password P | --password-stdin)] [--auth-mechanism PLAIN|LOGIN]\n"
    "         [--auth-without-tls]\n"
    "         [--8bitmime] [--smtputf8] [--notify N] [--orcpt-from-address] [--ret FULL|HDRS] [--envid ID]\n"
    "         [--timeout SECONDS]\n"
    "  Sends each FILE as one message on one connection and prints every recipient's result.\n"
    "  Exit status: 0 all delivered, 1 any other outcome, 2 usage.\n";

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

struct OpenFile {
  int fd = -1;
  std::uint64_t size = 0;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

int delivery_command(const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "send") {
    err << send_usage;
    return 2;
  }
  auto words = parse_words(args,  // args[0] is the verb
                           {"--host", "--port", "--from", "--to", "--helo", "--tls", "--ca-file", "--tls-name",
                            "--auth-user", "--auth-mechanism", "--password", "--notify", "--ret", "--envid", "--timeout"},
                           {"--verify", "--auth-without-tls", "--8bitmime", "--smtputf8", "--password-stdin",
                            "--orcpt-from-address"});
  if (!words) {
    err << "dirmailctl: " << words.error().message << "\n" << send_usage;
    return 2;
  }
  auto value = [&](const std::string& key, std::string fallback = {}) {
    auto it = words->values.find(key);
    return it == words->values.end() ? fallback : it->second;
  };
  const std::string host = value("--host");
  const auto recipients = split_commas(value("--to"));
  if (host.empty() || !words->values.contains("--from") || recipients.empty() || words->positional.empty()) {
    err << send_usage;
    return 2;
  }

  delivery::SmtpClientOptions options;
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  options.helo_name = value("--helo", name);
  const std::string tls = value("--tls", "opportunistic");
  if (tls == "off") options.tls = delivery::TlsMode::off;
  else if (tls == "opportunistic") options.tls = delivery::TlsMode::opportunistic;
  else if (tls == "required") options.tls = delivery::TlsMode::required;
  else if (tls == "implicit") options.tls = delivery::TlsMode::implicit;
  else {
    err << "dirmailctl: --tls must be off, opportunistic, required or implicit\n";
    return 2;
  }
  options.verify_implicit_tls = words->flags.contains("--verify");
  options.tls_server_name = value("--tls-name");
  if (words->values.contains("--ca-file")) {
    auto ctx = net::TlsClientContext::load({.ca_file = value("--ca-file")});
    if (!ctx) {
      err << "dirmailctl: " << ctx.error().message << "\n";
      return 1;
    }
    options.tls_context = std::move(*ctx);
  }
  if (words->values.contains("--auth-user")) {
    auto password = password_from(*words, err);
    if (!password) {
      err << "dirmailctl: " << password.error().message << "\n";
      return 2;
    }
    const std::string mechanism = value("--auth-mechanism");
    if (!mechanism.empty() && mechanism != "PLAIN" && mechanism != "LOGIN") {
      err << "dirmailctl: --auth-mechanism must be PLAIN or LOGIN\n";
      return 2;
    }
    options.auth = delivery::SmtpClientCredentials{value("--auth-user"), *password, mechanism};
    options.auth_without_tls = words->flags.contains("--auth-without-tls");
  }
  int port = 25;
  try {
    port = std::stoi(value("--port", "25"));
    if (words->values.contains("--timeout")) {
      std::chrono::seconds t(std::stoi(value("--timeout")));
      auto& to = options.timeouts;
      to.connect = to.tls_handshake = to.greeting = to.command = to.mail = to.rcpt = to.data_init = to.data_block =
          to.data_end = to.quit = t;
    }
  } catch (const std::exception&) {
    err << "dirmailctl: --port and --timeout take numbers\n";
    return 2;
  }

  std::vector<OpenFile> files(words->positional.size());
  std::vector<delivery::OutboundMessage> messages;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& path = words->positional[i];
    files[i].fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (files[i].fd < 0 || ::fstat(files[i].fd, &st) != 0) {
      err << "dirmailctl: " << path << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    delivery::OutboundMessage m;
    m.sender = value("--from");
    for (const auto& r : recipients) {
      std::string orcpt = words->flags.contains("--orcpt-from-address") ? "rfc822;" + r : "";
      m.recipients.push_back({r, value("--notify"), orcpt});
    }
    m.eight_bit = words->flags.contains("--8bitmime");
    m.smtputf8 = words->flags.contains("--smtputf8");
    m.dsn_ret = value("--ret");
    m.dsn_envid = value("--envid");
    m.fd = files[i].fd;
    m.length = static_cast<std::uint64_t>(st.st_size);
    messages.push_back(std::move(m));
  }

  asio::io_context io;
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto found = resolver.resolve(host, std::to_string(port), ec);
  if (ec || found.empty()) {
    err << "dirmailctl: cannot resolve " << host << ": " << ec.message() << "\n";
    return 1;
  }
  const tcp::endpoint peer = found.begin()->endpoint();

  int status = 0;
  auto report = [&](const std::string& what, const delivery::DeliveryResult& r) {
    out << what << " " << delivery::to_string(r.outcome) << " " << r.describe() << "\n";
    if (r.outcome != delivery::DeliveryOutcome::delivered) status = 1;
  };
  auto session = [&]() -> net::awaitable<void> {
    delivery::SmtpClient client(io.get_executor(), options);
    if (auto failed = co_await client.open(peer, host)) {
      report("session", *failed);
      co_return;
    }
    const auto& info = client.session();
    out << "session " << peer << " greeting \"" << info.greeting.summary() << "\" tls "
        << (info.tls.empty() ? "none" : "\"" + info.tls + "\"") << (info.tls_verified ? " verified" : "")
        << " auth " << (info.auth_mechanism.empty() ? "none" : info.auth_mechanism) << "\n";
    for (std::size_t i = 0; i < messages.size(); ++i) {
      auto result = co_await client.send(messages[i]);
      for (std::size_t r = 0; r < result.recipients.size(); ++r)
        report("message " + std::to_string(i + 1) + " <" + messages[i].recipients[r].address + ">",
               result.recipients[r]);
    }
    co_await client.quit();
  };
  asio::co_spawn(io, session(), [&](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  io.run();
  return status;
}

}  // namespace dirmail::ctl
