// Fuzzes the delivery report composer with hostile inputs (a peer's reply, the
// client's ENVID, ORCPT and NOTIFY, the original message) and checks that the report
// stays well-formed: CRLF lines within 998 octets in every part the composer writes,
// its own boundary around exactly three parts, and nothing for the null sender.
#include <string>
#include <vector>

#include "dirmail/queue/delivery_report.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;

// Lines of `text` end in CRLF and are at most 998 octets.
bool clean_lines(std::string_view text) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) return false;
    if (text[i] == '\n') {
      if (i == 0 || text[i - 1] != '\r' || i - 1 - start > 998) return false;
      start = i + 1;
    }
  }
  return start == text.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  const std::uint8_t control = fuzz::take_byte(in);
  queue::Envelope e;
  e.sender = std::string(fuzz::take_field(in, '\x1f'));
  e.recipients = {std::string(fuzz::take_field(in, '\x1f')), "second@example.net"};
  e.dsn_envid = std::string(fuzz::take_field(in, '\x1f'));
  queue::RecipientDsn dsn;
  dsn.notify = std::string(fuzz::take_field(in, '\x1f'));
  dsn.orcpt = std::string(fuzz::take_field(in, '\x1f'));
  e.recipient_dsn = {dsn, {}};
  e.dsn_ret = control & 1 ? "HDRS" : "";
  e.smtputf8 = control & 2;
  e.received_at = 1'780'000'000;
  queue::RecipientOutcome o;
  o.action = static_cast<queue::ReportAction>((control >> 2) % 5);
  o.status = std::string(fuzz::take_field(in, '\x1f'));
  o.diagnostic = std::string(fuzz::take_field(in, '\x1f'));
  o.diagnostic_type = std::string(fuzz::take_field(in, '\x1f'));
  o.remote_mta = std::string(fuzz::take_field(in, '\x1f'));
  o.retry_until = 1'780'086'400;
  queue::RecipientOutcome second = o;
  second.index = 1;
  std::vector<queue::RecipientOutcome> outcomes{o, second};
  const std::string_view original = in;  // the rest

  queue::ReportOptions options;
  options.reporting_mta = "mail.example.jp";
  options.now = 1'780'003'600;
  options.max_recipients = control & 0x80 ? 1 : 100;
  options.max_returned_size = control & 0x40 ? 16 : 1024 * 1024;
  queue::AdminCopyOptions admin{(control & 0x20) != 0, "admin@example.jp"};
  auto mails = queue::compose_delivery_reports(e, {original, original.size()}, outcomes, options, admin);
  if (e.sender.empty()) FUZZ_CHECK(mails.empty());
  FUZZ_CHECK(mails.size() <= 2);
  for (const auto& mail : mails) {
    FUZZ_CHECK(mail.envelope.sender.empty() && mail.envelope.recipients.size() == 1);
    const std::string& m = mail.message;
    // The Content-Type's folded boundary line (the To: above it holds no line break).
    const std::string_view marker = "\r\n\tboundary=\"";
    const auto boundary_at = m.find(marker);
    FUZZ_CHECK(boundary_at != std::string::npos);
    const auto value_at = boundary_at + marker.size();
    const std::string delimiter = "\r\n--" + m.substr(value_at, m.find('"', value_at) - value_at);
    // Three parts and the close delimiter, the last thing in the message.
    std::vector<std::size_t> at;
    for (auto p = m.find(delimiter); p != std::string::npos; p = m.find(delimiter, p + 1)) at.push_back(p);
    FUZZ_CHECK(at.size() == 4);
    FUZZ_CHECK(m.substr(at[3]) == delimiter + "--\r\n");
    // The composer's own text (header, the text and delivery-status parts, the third
    // part's header) is clean whatever the input; the returned original is quoted as is.
    const auto third_body = m.find("\r\n\r\n", at[2]);
    FUZZ_CHECK(third_body != std::string::npos);
    FUZZ_CHECK(clean_lines(std::string_view(m).substr(0, third_body + 4)));
    FUZZ_CHECK(m.find("\r\nBcc:") == std::string::npos || original.find("Bcc:") != std::string_view::npos);
  }
  return 0;
}
