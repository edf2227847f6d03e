// LdapConnection against loopback servers made here: one that never accepts (the
// kernel completes the TCP handshake, nothing answers), and a scripted one that
// answers binds. The real directory (Samba AD DC) is in
// tests/integration/directory/test_ldap_connection.py.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dirmail/directory/ldap_connection.hpp"

namespace dirmail::directory {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// libldap writes with write(2); dirmaild blocks SIGPIPE, so must this test.
const bool sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

constexpr int kLdapSuccess = 0;
constexpr int kStrongerAuthRequired = 8;
constexpr int kInvalidCredentials = 49;

// A listening socket on 127.0.0.1 that accepts only when told to.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 16) != 0)
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { ::close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int fd() const { return fd_; }
  std::string uri(const char* scheme = "ldap") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }
  // A connection waits in the queue.
  bool has_pending() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

bool read_exact(int fd, std::string& out, std::size_t count) {
  while (count > 0) {
    char buffer[512];
    ssize_t n = ::read(fd, buffer, std::min(count, sizeof buffer));
    if (n <= 0) return false;
    out.append(buffer, static_cast<std::size_t>(n));
    count -= static_cast<std::size_t>(n);
  }
  return true;
}

// One LDAPMessage (BER SEQUENCE) from the socket.
bool read_message(int fd, std::string& message) {
  message.clear();
  if (!read_exact(fd, message, 2)) return false;
  std::size_t length = static_cast<unsigned char>(message[1]);
  if (length & 0x80) {
    std::size_t octets = length & 0x7f;
    if (octets > 4 || !read_exact(fd, message, octets)) return false;
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = length * 256 + static_cast<unsigned char>(message[2 + i]);
  }
  return read_exact(fd, message, length);
}

// BindResponse with the request's message id; every length fits one octet.
std::string bind_response(const std::string& request, int result, const std::string& diagnostic) {
  std::size_t at = 2 + ((static_cast<unsigned char>(request[1]) & 0x80) ? (request[1] & 0x7f) : 0);
  std::string id = request.substr(at, 2 + static_cast<unsigned char>(request[at + 1]));  // 02 len id
  std::string op = std::string("\x0a\x01", 2) + static_cast<char>(result) + std::string("\x04\x00\x04", 3) +
                   static_cast<char>(diagnostic.size()) + diagnostic;
  std::string body = id + '\x61' + static_cast<char>(op.size()) + op;
  return std::string(1, '\x30') + static_cast<char>(body.size()) + body;
}

bool is_bind_request(const std::string& message) {
  std::size_t at = 2 + ((static_cast<unsigned char>(message[1]) & 0x80) ? (message[1] & 0x7f) : 0);
  std::size_t op = at + 2 + static_cast<unsigned char>(message[at + 1]);
  return op < message.size() && message[op] == '\x60';
}

// Answers the bind of its n-th connection with script[n]; anything else is read
// and left unanswered.
class ScriptedLdapServer {
 public:
  struct Answer {
    int result;
    std::string diagnostic;
  };
  explicit ScriptedLdapServer(std::vector<Answer> script) : script_(std::move(script)) {
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~ScriptedLdapServer() {
    ::shutdown(listener_.fd(), SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : clients_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : handlers_) t.join();
    for (int fd : clients_) ::close(fd);
  }
  std::string uri() const { return listener_.uri(); }
  int connections() const { return connections_.load(); }

 private:
  void accept_loop() {
    for (;;) {
      int fd = ::accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0) return;
      std::size_t index = static_cast<std::size_t>(connections_++);
      std::lock_guard lock(mutex_);
      clients_.push_back(fd);
      handlers_.emplace_back([this, fd, index] { serve(fd, index); });
    }
  }
  void serve(int fd, std::size_t index) {
    std::string request;
    while (read_message(fd, request)) {
      if (!is_bind_request(request) || index >= script_.size()) continue;
      std::string reply = bind_response(request, script_[index].result, script_[index].diagnostic);
      if (::write(fd, reply.data(), reply.size()) != static_cast<ssize_t>(reply.size())) return;
    }
  }

  Listener listener_;
  std::vector<Answer> script_;
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::vector<int> clients_;
  std::vector<std::thread> handlers_;
  std::thread acceptor_;
};

LdapConnectionOptions simple_bind_to(const std::string& uri) {
  LdapConnectionOptions options;
  options.uri = uri;
  options.bind = LdapBindMethod::simple;
  options.bind_dn = "svc-mail";
  options.bind_password = "service-secret";
  options.connect_timeout = 300ms;
  options.operation_timeout = 300ms;
  return options;
}

long long millis_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

TEST(LdapConnection, EmptyServicePasswordIsRefusedBeforeConnecting) {
  Listener server;
  auto options = simple_bind_to(server.uri());
  options.bind_password = "";
  auto connection = LdapConnection::open(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(connection.error().message.find("empty password"), std::string::npos) << connection.error().message;
  EXPECT_FALSE(server.has_pending());
}

TEST(LdapConnection, OptionsThatCannotWork) {
  auto options = simple_bind_to("ldaps://127.0.0.1:1");
  options.start_tls = true;
  EXPECT_EQ(LdapConnection::open(options).error().code, ErrorCode::invalid_argument);
  options = simple_bind_to("");
  EXPECT_EQ(LdapConnection::open(options).error().code, ErrorCode::invalid_argument);
  options = simple_bind_to("ldap://127.0.0.1:1");
  options.bind = LdapBindMethod::gssapi;
  EXPECT_EQ(LdapConnection::open(options).error().code, ErrorCode::invalid_argument);  // no keytab
  options = simple_bind_to("http://127.0.0.1:1");
  EXPECT_EQ(LdapConnection::open(options).error().code, ErrorCode::invalid_argument);
}

TEST(LdapConnection, ClosedPortIsTemporaryAndFast) {
  std::string uri;
  {
    Listener gone;
    uri = gone.uri();
  }
  auto start = Clock::now();
  auto connection = LdapConnection::open(simple_bind_to(uri));
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, ErrorCode::temporary_failure);
  EXPECT_LT(millis_since(start), 300);
  EXPECT_EQ(connection.error().message.rfind(uri + ": connect failed", 0), 0u) << connection.error().message;
}

TEST(LdapConnection, SilentServerBindEndsAfterTheOperationTimeout) {
  Listener silent;  // never accepts: TCP is up, nothing ever answers
  auto start = Clock::now();
  auto connection = LdapConnection::open(simple_bind_to(silent.uri()));
  auto elapsed = millis_since(start);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, ErrorCode::temporary_failure);
  EXPECT_EQ(connection.error().message, silent.uri() + ": bind as svc-mail failed: no answer within 300 ms");
  EXPECT_GE(elapsed, 250);
  EXPECT_LT(elapsed, 900);
}

TEST(LdapConnection, SilentServerTlsHandshakeEndsAfterTheConnectTimeout) {
  Listener silent;
  auto start = Clock::now();
  auto connection = LdapConnection::open(simple_bind_to(silent.uri("ldaps")));
  auto elapsed = millis_since(start);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, ErrorCode::temporary_failure);
  EXPECT_EQ(connection.error().message,
            silent.uri("ldaps") + ": TLS handshake failed: no answer within 300 ms");
  EXPECT_GE(elapsed, 250);
  EXPECT_LT(elapsed, 900);
}

TEST(LdapConnection, RefusedServiceBindCarriesTheServerReason) {
  ScriptedLdapServer server({{kStrongerAuthRequired, "BindSimple: Transport encryption required."}});
  auto connection = LdapConnection::open(simple_bind_to(server.uri()));
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.error().code, ErrorCode::permission_denied);
  EXPECT_EQ(connection.error().message, server.uri() +
                                            ": bind as svc-mail refused: Strong(er) authentication required "
                                            "(BindSimple: Transport encryption required.)");
}

TEST(LdapConnection, CheckPasswordUsesANewConnectionPerAttempt) {
  ScriptedLdapServer server({
      {kLdapSuccess, ""},  // the service bind
      {kInvalidCredentials,
       "80090308: LdapErr: DSID-0C09042F, comment: AcceptSecurityContext error, data 775, v2580"},
      {kLdapSuccess, ""},
  });
  auto connection = LdapConnection::open(simple_bind_to(server.uri()));
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  EXPECT_EQ(server.connections(), 1);

  auto empty = (*connection)->check_password("alice", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->accepted);
  EXPECT_EQ(empty->refusal, BindRefusal::bad_credentials);
  EXPECT_EQ(server.connections(), 1);  // refused without asking

  auto locked = (*connection)->check_password("alice", "Secret-1!");
  ASSERT_TRUE(locked.ok()) << locked.error().message;
  EXPECT_FALSE(locked->accepted);
  EXPECT_EQ(locked->refusal, BindRefusal::locked);
  EXPECT_NE(locked->diagnostic.find("data 775"), std::string::npos);

  auto accepted = (*connection)->check_password("alice", "Secret-2!");
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_TRUE(accepted->accepted);
  EXPECT_EQ(server.connections(), 3);
}

TEST(LdapConnection, CheckPasswordOnAVanishedServerIsAnError) {
  std::string uri;
  std::unique_ptr<LdapConnection> connection;
  {
    ScriptedLdapServer server({{kLdapSuccess, ""}});
    uri = server.uri();
    auto opened = LdapConnection::open(simple_bind_to(uri));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    connection = std::move(*opened);
  }
  auto result = connection->check_password("alice", "Secret-1!");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::temporary_failure);
}

// Writes: a server that takes the bind and never answers the write; one that is gone.
// What AD answers to writes is in tests/integration/migration/test_ad_target.py.
TEST(LdapConnection, WriteToASilentServerEndsAfterTheOperationTimeout) {
  ScriptedLdapServer server({{kLdapSuccess, ""}});  // answers the bind, nothing else
  auto connection = LdapConnection::open(simple_bind_to(server.uri()));
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  auto start = Clock::now();
  auto written = (*connection)->modify_entry(
      "CN=alice,CN=Users,DC=corp", {{LdapModification::Kind::replace, "unicodePwd", {"\"secret\""}}});
  auto elapsed = millis_since(start);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::temporary_failure);
  EXPECT_EQ(written.result_code(), -5);  // LDAP_TIMEOUT
  EXPECT_EQ(written.error().message,
            server.uri() + ": modify of CN=alice,CN=Users,DC=corp (replace unicodePwd) failed: no answer within 300 ms");
  EXPECT_EQ(written.error().message.find("secret"), std::string::npos);
  EXPECT_GE(elapsed, 250);
  EXPECT_LT(elapsed, 900);
}

TEST(LdapConnection, WriteToAVanishedServerIsTemporary) {
  std::unique_ptr<LdapConnection> connection;
  {
    ScriptedLdapServer server({{kLdapSuccess, ""}});
    auto opened = LdapConnection::open(simple_bind_to(server.uri()));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    connection = std::move(*opened);
  }
  auto deleted = connection->delete_entry("CN=alice,CN=Users,DC=corp");
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, ErrorCode::temporary_failure);
  EXPECT_LT(deleted.result_code(), 0);  // libldap's: no answer came
}

TEST(LdapConnection, MalformedWritesAreNotSent) {
  ScriptedLdapServer server({{kLdapSuccess, ""}});
  auto connection = LdapConnection::open(simple_bind_to(server.uri()));
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  auto start = Clock::now();
  auto no_dn = (*connection)->add_entry("", {{"objectClass", {"top"}}});
  EXPECT_EQ(no_dn.error().code, ErrorCode::invalid_argument);
  auto no_values = (*connection)->add_entry("CN=x,DC=corp", {{"objectClass", {}}});
  EXPECT_EQ(no_values.error().code, ErrorCode::invalid_argument);
  auto no_changes = (*connection)->modify_entry("CN=x,DC=corp", {});
  EXPECT_EQ(no_changes.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(no_changes.error().message, server.uri() + ": modify of CN=x,DC=corp () not sent: no changes");
  EXPECT_LT(millis_since(start), 250);  // no answer awaited
}

}  // namespace
}  // namespace dirmail::directory
