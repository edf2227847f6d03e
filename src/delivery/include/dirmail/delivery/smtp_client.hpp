#pragma once
// The outbound SMTP client session (RFC 5321): connects to one peer, reads the
// greeting, says EHLO (HELO when EHLO is refused), starts TLS (STARTTLS or implicit),
// authenticates to a smart host, then sends one or several messages on the same
// connection and QUITs. Every wait has the time limit of RFC 5321 §4.5.3.2; every
// outcome is a DeliveryResult the queue runner can schedule on.
//
//   SmtpClient client(executor, options);
//   if (auto failed = co_await client.open(endpoint, "mx.example.net")) ...  // whole attempt
//   auto result = co_await client.send(message);  // per recipient; repeat while ready()
//   co_await client.quit();
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dirmail/delivery/delivery_outcome.hpp"
#include "dirmail/delivery/outbound_message.hpp"
#include "dirmail/delivery/peer_capabilities.hpp"
#include "dirmail/delivery/smtp_reply.hpp"
#include "dirmail/net/asio.hpp"

namespace dirmail::net {
class Stream;
class LineReader;
class OutputBuffer;
class TlsClientContext;
}  // namespace dirmail::net

namespace dirmail::delivery {

enum class TlsMode {
  off,            // never start TLS
  opportunistic,  // STARTTLS when offered, certificate not checked (RFC 7435); else plaintext
  required,       // STARTTLS must be offered and the certificate must verify against the
                  // CA set and the peer's name; otherwise the attempt fails (temporary)
  implicit,       // TLS from the first byte (port 465, the gateway table's "port*")
};

// RFC 5321 §4.5.3.2 values by default.
struct SmtpClientTimeouts {
  std::chrono::steady_clock::duration connect = std::chrono::seconds(30);
  std::chrono::steady_clock::duration tls_handshake = std::chrono::seconds(60);
  std::chrono::steady_clock::duration greeting = std::chrono::minutes(5);
  std::chrono::steady_clock::duration command = std::chrono::minutes(5);  // EHLO, STARTTLS, AUTH, RSET
  std::chrono::steady_clock::duration mail = std::chrono::minutes(5);
  std::chrono::steady_clock::duration rcpt = std::chrono::minutes(5);
  std::chrono::steady_clock::duration data_init = std::chrono::minutes(2);
  std::chrono::steady_clock::duration data_block = std::chrono::minutes(3);
  std::chrono::steady_clock::duration data_end = std::chrono::minutes(10);
  std::chrono::steady_clock::duration quit = std::chrono::seconds(30);
};

struct SmtpClientCredentials {
  std::string user;
  std::string password;
  std::string mechanism;  // "PLAIN" or "LOGIN"; empty: PLAIN when offered, else LOGIN
};

struct SmtpClientOptions {
  std::string helo_name;  // this server's name for EHLO/HELO
  TlsMode tls = TlsMode::opportunistic;
  // The CA set for verification; null: the system's CA set, loaded on first use.
  std::shared_ptr<const net::TlsClientContext> tls_context;
  // Implicit TLS verifies the certificate too (required TLS always does).
  bool verify_implicit_tls = false;
  // The name the certificate must carry (and the SNI); empty: the peer name given to open().
  std::string tls_server_name;
  // AUTH PLAIN (else LOGIN) to a smart host; only over TLS unless allowed.
  std::optional<SmtpClientCredentials> auth;
  bool auth_without_tls = false;
  ReplyLimits reply_limits;
  // Commands written before their replies are read, with PIPELINING (RFC 2920).
  std::size_t pipeline_batch = 100;
  SmtpClientTimeouts timeouts;
};

// What is known about the session once open() has succeeded.
struct SmtpSessionInfo {
  net::tcp::endpoint peer;
  std::string peer_name;
  SmtpReply greeting;
  PeerCapabilities capabilities;  // from the last EHLO (after STARTTLS: the second one)
  std::string tls;                // "TLSv1.3 TLS_AES_256_GCM_SHA384", or "" without TLS
  bool tls_verified = false;      // the certificate chains to the CA set (and, when
                                  // checked, carries the name)
  std::string auth_mechanism;     // "PLAIN", "LOGIN" or "" when not authenticated
};

// One result per recipient of the message, in its order.
struct MessageResult {
  std::vector<DeliveryResult> recipients;
};

class SmtpClient {
 public:
  SmtpClient(net::asio::any_io_executor executor, SmtpClientOptions options);
  ~SmtpClient();
  SmtpClient(const SmtpClient&) = delete;
  SmtpClient& operator=(const SmtpClient&) = delete;

  // Connect, greeting, EHLO, TLS and AUTH. nullopt when the session is ready for
  // messages; otherwise why not (the connection is then closed), which applies to
  // every recipient meant for this peer.
  net::awaitable<std::optional<DeliveryResult>> open(net::tcp::endpoint peer, std::string peer_name);

  // One transaction (RSET first when one came before). A 4xx/5xx to MAIL or DATA, or
  // a failure of the connection, applies to every recipient not yet refused.
  net::awaitable<MessageResult> send(const OutboundMessage& message);

  // QUIT (its reply awaited briefly) and close. Safe to call in any state.
  net::awaitable<void> quit();

  // Open and in step with the peer: another message may be sent.
  bool ready() const { return state_ == State::ready; }
  const SmtpSessionInfo& session() const { return info_; }

 private:
  enum class State { closed, ready, broken };

  net::awaitable<Result<SmtpReply>> read_reply(std::chrono::steady_clock::duration timeout);
  net::awaitable<Status> flush(std::chrono::steady_clock::duration timeout);
  net::awaitable<Result<SmtpReply>> command(std::string line, std::chrono::steady_clock::duration timeout);

  net::awaitable<std::optional<DeliveryResult>> greet();
  net::awaitable<std::optional<DeliveryResult>> hello();
  net::awaitable<std::optional<DeliveryResult>> start_tls();
  net::awaitable<std::optional<DeliveryResult>> authenticate();
  // DATA, the message, the final dot: the result for every accepted recipient.
  net::awaitable<DeliveryResult> send_data(const OutboundMessage& message);

  // A failure without a reply: the connection is no longer usable.
  DeliveryResult fault(SmtpStage stage, const Error& error);
  // A refusal by reply; a 421 also ends the session (the peer closes).
  DeliveryResult refusal(SmtpStage stage, SmtpReply reply, std::string reason = {});
  std::string server_name() const;
  Result<const net::TlsClientContext*> tls_context();
  void close();

  net::asio::any_io_executor executor_;
  SmtpClientOptions options_;
  std::unique_ptr<net::Stream> stream_;
  std::unique_ptr<net::LineReader> reader_;
  std::unique_ptr<net::OutputBuffer> out_;
  ReplyAssembler assembler_;
  SmtpSessionInfo info_;
  State state_ = State::closed;
  bool transaction_started_ = false;  // a MAIL was sent: RSET before the next one
};

}  // namespace dirmail::delivery
