#pragma once
// A real IMAP session over loopback TCP against a posix MailStore in a temporary
// folder, with a scripted password verifier, and a blocking client that reads whole
// tagged responses (literals included) the way a mail client does.
#include <sys/socket.h>
#include <sys/time.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "dirmail/imap/imap_service.hpp"
#include "dirmail/store/mailbox_path.hpp"
#include "dirmail/store/posix_mail_store.hpp"

namespace dirmail::imap::testing {

class ScriptedVerifier final : public auth::PasswordVerifier {
 public:
  Result<std::optional<directory::Account>> verify(std::string_view login, std::string_view password) override {
    if (login == "down@example.test") return make_error(ErrorCode::temporary_failure, "directory down");
    if ((login == "alice@example.test" || login == "alice") && password == "secret pw") {
      directory::Account a;
      a.name = "alice";
      a.domain = "example.test";
      return std::optional<directory::Account>(a);
    }
    return std::optional<directory::Account>();
  }
};

// The directory behind the authenticator: alice only (for the paths that ask it).
class AliceDirectory final : public directory::Directory {
 public:
  std::string_view backend_name() const override { return "test"; }
  Result<std::vector<std::string>> local_domains() override { return std::vector<std::string>{"example.test"}; }
  Result<bool> is_local_domain(std::string_view d) override { return d == "example.test"; }
  Result<directory::Account> find_account(std::string_view login) override {
    if (login != "alice" && login != "alice@example.test") return make_error(ErrorCode::not_found, "no such user");
    directory::Account a;
    a.name = "alice";
    a.domain = "example.test";
    return a;
  }
  Result<directory::Recipient> resolve_recipient(std::string_view) override {
    return make_error(ErrorCode::not_found, "not used");
  }
};

class TempFolder {
 public:
  TempFolder() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/dirmail-imap-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One listening server; each accepted connection runs run_imap_session. The store is
// a posix one in a temporary folder unless the test gives its own.
class ImapServer {
 public:
  explicit ImapServer(ImapOptions options = default_options(), bool peer_is_loopback = true,
                      store::MailStore* store = nullptr)
      : peer_is_loopback_(peer_is_loopback), store_(store != nullptr ? store : &posix_store_) {
    options.mailboxes.base_dir = folder_.path();
    options.authenticator = std::make_shared<auth::Authenticator>(directory_, verifier_, nullptr, std::vector<std::string>{});
    service_->options.store(std::make_shared<const ImapOptions>(options));
    service_->store = store_;
    service_->pool = &pool_;
    service_->sessions = &sessions_;
    acceptor_.open(net::tcp::v4());
    acceptor_.bind(net::tcp::endpoint(net::asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    net::asio::co_spawn(io_, accept_loop(), net::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ImapServer() {
    net::asio::post(io_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
    });
    work_.reset();
    sessions_.stop_all();
    for (int i = 0; i < 500 && sessions_.size() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    io_.stop();
    thread_.join();
    pool_.join();
  }

  static ImapOptions default_options() {
    ImapOptions o;
    o.hostname = "mail.example.test";
    o.idle_timeout = std::chrono::seconds(60);
    o.plaintext_auth = auth::PlaintextPolicy::loopback;
    o.mailboxes.path_template = "mail/%DOMAIN%/%USERNAME%";
    return o;
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string alice_root() const {
    auto r = store::expand_mailbox_path("mail/%DOMAIN%/%USERNAME%", {"alice", "example.test", ""}, folder_.path());
    return r.ok() ? *r : std::string();
  }
  // Delivers `message` to alice's INBOX; returns its UID.
  std::uint32_t deliver(const std::string& message) {
    store::DeliverySource source;
    source.prefix = message;
    auto info = store_->deliver(alice_root(), "INBOX", source);
    EXPECT_TRUE(info.ok());
    return info.ok() ? info->uid : 0;
  }
  store::MailStore& store() { return *store_; }
  net::SessionSet& sessions() { return sessions_; }
  void stop_sessions() { sessions_.stop_all(); }

 private:
  net::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      net::tcp::socket socket = co_await acceptor_.async_accept(net::asio::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
      net::Connection c{net::Stream(std::move(socket))};
      c.session_id = "test";
      c.peer_address = "127.0.0.1";
      c.peer_is_loopback = peer_is_loopback_;
      net::asio::co_spawn(io_, run_imap_session(service_, std::move(c)), net::asio::detached);
    }
  }

  TempFolder folder_;
  bool peer_is_loopback_;
  ScriptedVerifier verifier_;
  AliceDirectory directory_;
  store::PosixMailStore posix_store_;
  store::MailStore* store_;
  net::BlockingPool pool_{2};
  net::SessionSet sessions_;
  std::shared_ptr<ImapService> service_ = std::make_shared<ImapService>();
  net::asio::io_context io_;
  std::optional<net::asio::executor_work_guard<net::asio::io_context::executor_type>> work_{io_.get_executor()};
  net::tcp::acceptor acceptor_{io_};
  std::thread thread_;
};

// A blocking client with a receive timeout, so a broken server fails the test
// instead of hanging it.
class ImapClient {
 public:
  explicit ImapClient(std::uint16_t port) : socket_(ctx_) {
    socket_.connect(net::tcp::endpoint(net::asio::ip::make_address("127.0.0.1"), port));
    timeval tv{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  void send(const std::string& bytes) { net::asio::write(socket_, net::asio::buffer(bytes)); }

  // One line without CRLF; "" with closed() set at end of stream.
  std::string line() {
    for (;;) {
      auto crlf = buf_.find("\r\n");
      if (crlf != std::string::npos) {
        std::string l = buf_.substr(0, crlf);
        buf_.erase(0, crlf + 2);
        return l;
      }
      if (!fill()) return {};
    }
  }
  std::string bytes(std::size_t n) {
    while (buf_.size() < n)
      if (!fill()) break;
    std::string out = buf_.substr(0, n);
    buf_.erase(0, std::min(n, buf_.size()));
    return out;
  }
  // Every response up to and including the tagged one, literals inline, CRLFs kept.
  std::string response(const std::string& tag) {
    std::string all;
    for (;;) {
      std::string l = line();
      if (closed_) return all + l;
      all += l;
      // A line ending in {n} continues after n literal bytes.
      while (!l.empty() && l.back() == '}') {
        auto open = l.rfind('{');
        if (open == std::string::npos) break;
        std::size_t n = std::stoul(l.substr(open + 1));
        all += "\r\n" + bytes(n);
        l = line();
        all += l;
      }
      all += "\r\n";
      if (l.rfind(tag + " ", 0) == 0 || all.rfind(tag + " ", 0) == 0 ||
          all.find("\r\n" + tag + " ") != std::string::npos)
        return all;
    }
  }
  std::string command(const std::string& tag, const std::string& text) {
    send(tag + " " + text + "\r\n");
    return response(tag);
  }
  bool closed() const { return closed_; }
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  bool fill() {
    char tmp[8192];
    boost::system::error_code ec;
    std::size_t n = socket_.read_some(net::asio::buffer(tmp), ec);
    if (ec || n == 0) {
      closed_ = true;
      return false;
    }
    buf_.append(tmp, n);
    return true;
  }

  net::asio::io_context ctx_;
  net::tcp::socket socket_;
  std::string buf_;
  bool closed_ = false;
};

}  // namespace dirmail::imap::testing
