// TLS on a Stream: loading the certificate (errors name the file), the handshake
// (timeout, garbage), and reading lines when OpenSSL holds data the socket no longer
// shows (the idle wait must not sleep on it).
#include "dirmail/net/stream.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "dirmail/net/line_reader.hpp"
#include "dirmail/net/output_buffer.hpp"
#include "dirmail/net/tls_context.hpp"

namespace dirmail::net {
namespace {

namespace fs = std::filesystem;

// A self-signed P-256 certificate and its key as PEM files in a fresh folder.
struct TestCertificate {
  fs::path folder;
  std::string cert;
  std::string key;

  explicit TestCertificate(const std::string& name) {
    folder = fs::temp_directory_path() / fmt::format("dirmail-stream-test-{}-{}", name, ::getpid());
    fs::create_directories(folder);
    cert = (folder / "cert.pem").string();
    key = (folder / "key.pem").string();
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME* subject = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("test"), -1, -1,
                               0);
    X509_set_issuer_name(x, subject);
    X509_sign(x, pkey, EVP_sha256());
    FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~TestCertificate() {
    std::error_code ec;
    fs::remove_all(folder, ec);
  }
};

TEST(TlsContext, LoadsAMatchingPair) {
  TestCertificate c("ok");
  auto ctx = TlsContext::load({c.cert, c.key, "1.3"});
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
}

TEST(TlsContext, ErrorsNameTheFile) {
  TestCertificate a("a"), b("b");
  auto missing = TlsContext::load({(a.folder / "nope.pem").string(), a.key, "1.2"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("tls.certificate_file"), std::string::npos);
  EXPECT_NE(missing.error().message.find((a.folder / "nope.pem").string()), std::string::npos);

  auto not_a_key = TlsContext::load({a.cert, a.cert, "1.2"});
  ASSERT_FALSE(not_a_key.ok());
  EXPECT_NE(not_a_key.error().message.find("tls.key_file"), std::string::npos);

  auto mismatch = TlsContext::load({a.cert, b.key, "1.2"});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("does not match"), std::string::npos) << mismatch.error().message;
  EXPECT_NE(mismatch.error().message.find(b.key), std::string::npos);
}

struct Pair {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::socket client{io};
  std::unique_ptr<Stream> server;
  Pair() {
    client.connect(acceptor.local_endpoint());
    server = std::make_unique<Stream>(acceptor.accept());
  }
};

TEST(Stream, HandshakeTimesOutWhenTheClientSaysNothing) {
  TestCertificate c("timeout");
  auto ctx = TlsContext::load({c.cert, c.key, "1.2"});
  ASSERT_TRUE(ctx.ok());
  Pair p;
  Status result = ok_status();
  asio::co_spawn(
      p.io, [&]() -> awaitable<void> { result = co_await p.server->start_tls(**ctx, std::chrono::milliseconds(200)); },
      asio::detached);
  p.io.run();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::cancelled);
  EXPECT_EQ(result.error().message, "TLS handshake timeout");
  EXPECT_FALSE(p.server->tls());
}

TEST(Stream, HandshakeFailsOnPlaintext) {
  TestCertificate c("garbage");
  auto ctx = TlsContext::load({c.cert, c.key, "1.2"});
  ASSERT_TRUE(ctx.ok());
  Pair p;
  asio::write(p.client, asio::buffer(std::string("EHLO client.example.org\r\n")));
  Status result = ok_status();
  asio::co_spawn(
      p.io, [&]() -> awaitable<void> { result = co_await p.server->start_tls(**ctx, std::chrono::seconds(5)); },
      asio::detached);
  p.io.run();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::protocol_error);
  EXPECT_NE(result.error().message.find("TLS handshake failed"), std::string::npos);
}

// 512 lines of 16 bytes in one TLS record: the reader's 4 KB buffer empties exactly at a
// line end while OpenSSL still holds 4 KB of the record. The socket shows nothing more,
// so a reader that only waited for the socket would sleep until its timeout.
TEST(Stream, ReadsWhatOpenSslHoldsAfterTheSocketIsDrained) {
  TestCertificate c("pending");
  auto ctx = TlsContext::load({c.cert, c.key, "1.2"});
  ASSERT_TRUE(ctx.ok());
  Pair p;
  std::string reply;
  std::thread client([&] {
    SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(cctx);
    SSL_set_fd(ssl, p.client.native_handle());
    if (SSL_connect(ssl) == 1) {
      std::string lines;
      for (int i = 0; i < 512; ++i) lines += fmt::format("line {:09d}\r\n", i);
      SSL_write(ssl, lines.data(), static_cast<int>(lines.size()));
      char buf[64];
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) reply.assign(buf, static_cast<std::size_t>(n));
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(cctx);
    ::shutdown(p.client.native_handle(), SHUT_WR);
  });
  int lines = 0;
  Error last{};
  std::string tls;
  asio::co_spawn(
      p.io,
      [&]() -> awaitable<void> {
        auto started = co_await p.server->start_tls(**ctx, std::chrono::seconds(5));
        if (!started) {
          last = started.error();
          co_return;
        }
        tls = p.server->tls_description();
        LineReader reader(*p.server, 100);
        OutputBuffer out;
        for (;;) {
          auto got = co_await reader.read_line(std::chrono::seconds(3));
          if (!got) {
            last = got.error();
            co_return;
          }
          if (got->text != fmt::format("line {:09d}", lines)) co_return;
          if (++lines == 512) {
            out.append("done\r\n");
            (void)co_await out.flush(*p.server, std::chrono::seconds(5));
          }
        }
      },
      asio::detached);
  p.io.run();
  p.server->close();  // a failed test must not leave the client waiting for "done"
  client.join();
  EXPECT_EQ(lines, 512);
  EXPECT_EQ(reply, "done\r\n");
  EXPECT_EQ(last.code, ErrorCode::not_found) << last.message;  // the client's close, not a timeout
  EXPECT_EQ(tls.rfind("TLSv1.3 ", 0), 0u) << tls;
}

}  // namespace
}  // namespace dirmail::net
