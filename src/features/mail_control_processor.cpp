#include "dirmail/features/mail_control_processor.hpp"

#include <fcntl.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "dirmail/base/header_fields.hpp"
#include "dirmail/base/log.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/features/attachment_stripper.hpp"
#include "dirmail/features/auto_reply.hpp"
#include "dirmail/features/configured_address.hpp"
#include "dirmail/queue/delivery_report.hpp"
#include "dirmail/queue/queue_copy.hpp"

namespace dirmail::features {
namespace {

constexpr std::size_t max_header_read = 64 * 1024;
constexpr std::size_t max_list_file = 256 * 1024;   // NOREPLY.TXT, REPLIED.TXT, PERMITFROM.TXT, FILE: lists
constexpr std::size_t max_forward_targets = 100;
constexpr std::size_t max_text_file = 64 * 1024;    // AUTORPLY.TXT
constexpr std::size_t max_echo = 256 * 1024;        // EchoMessage: the original, cut here
constexpr int max_hops = 50;                        // Received:/Delivered-To: fields before we stop forwarding

log::LogLine clog(log::Record r, const ControlledDelivery& d) {
  log::LogLine l(log::service("delivery"), r);
  l.with("queue_id", d.log_id).with("user", d.account.address());
  return l;
}

// The lines of a list file, trimmed, without empty lines and ';'/'#' comments.
std::vector<std::string> list_lines(std::string_view text) {
  std::vector<std::string> out;
  for (auto line : split(text, '\n')) {
    line = trim(line);
    if (!line.empty() && line.front() != ';' && line.front() != '#') out.push_back(to_lower(line));
  }
  return out;
}

// Whether `address` is in a list of addresses and domains ("user@d", "@d", "*@d", "d").
bool listed(const std::vector<std::string>& entries, std::string_view address) {
  std::string a = to_lower(address);
  auto at = a.rfind('@');
  std::string domain = at == std::string::npos ? std::string() : a.substr(at + 1);
  for (const auto& e : entries) {
    if (e == a) return true;
    std::string_view d = e;
    if (d.starts_with("*@")) d.remove_prefix(2);
    else if (d.starts_with("@")) d.remove_prefix(1);
    else if (d.find('@') != std::string_view::npos) continue;
    if (!domain.empty() && d == domain) return true;
  }
  return false;
}

std::string read_header(int fd, const queue::QueuedMessage& m) {
  auto bytes = posix::pread_up_to(fd, m.body_offset, std::min<std::uint64_t>(m.body_size, max_header_read), m.path);
  if (!bytes) return {};
  return std::string(queue::header_block(*bytes));
}

int hop_count(std::string_view header) {
  int hops = 0;
  for (const auto& f : split_header_fields(header))
    if (iequals(f.name, "Received") || iequals(f.name, "Delivered-To")) ++hops;
  return hops;
}

}  // namespace

MailControlProcessor::MailControlProcessor(store::MailStore& store, queue::Queue& queue, OnQueued on_queued,
                                           MailControlOptions options)
    : store_(store), queue_(queue), on_queued_(std::move(on_queued)), options_(std::move(options)) {}

void MailControlProcessor::set_options(MailControlOptions options) {
  std::lock_guard lock(mu_);
  options_ = std::move(options);
}

MailControlOptions MailControlProcessor::options() const {
  std::lock_guard lock(mu_);
  return options_;
}

Result<std::string> MailControlProcessor::queue_message(const queue::Envelope& envelope, std::string_view prefix,
                                                        int fd, std::uint64_t offset, std::uint64_t length) {
  auto id = queue::queue_copy(queue_, envelope, prefix, fd, offset, length);
  if (id && on_queued_) on_queued_(*id);
  return id;
}

Result<std::string> MailControlProcessor::queue_text(const queue::Envelope& envelope, std::string_view text) {
  auto id = queue::queue_bytes(queue_, envelope, text);
  if (id && on_queued_) on_queued_(*id);
  return id;
}

Result<bool> MailControlProcessor::apply(const ControlledDelivery& d, const std::function<Status()>& store_copy) {
  const MailControlOptions options = this->options();
  auto stored = [&]() -> Result<bool> {
    DIRMAIL_TRY(store_copy());
    return true;
  };
  if (!options.enabled) return stored();
  auto text = store_.read_user_file(d.mailbox_root, "IMS.CTL", max_mail_control_bytes);
  if (!text) {
    if (text.error().code == ErrorCode::temporary_failure) return std::move(text).error();
    clog(log::Record::failure, d).with("error", text.error().message).warn("IMS.CTL unreadable; delivered without mail control");
    return stored();
  }
  if (!*text) return stored();
  auto control = parse_mail_control(**text);
  if (!control) {
    clog(log::Record::failure, d).with("error", control.error().message).warn("IMS.CTL invalid; delivered without mail control");
    return stored();
  }
  for (const auto& w : control->warnings) clog(log::Record::sender, d).with("warning", w).debug("IMS.CTL");
  std::string header = read_header(d.fd, d.message);
  std::optional<ForwardPlan> plan;
  if (control->forward) {
    auto p = plan_forward(d, *control->forward, header, options);
    if (!p) return std::move(p).error();
    plan = std::move(*p);
  }
  // Discard only what goes somewhere: a forward that does not happen keeps the copy.
  bool keep = !control->discard || (control->forward && !plan);
  if (keep) DIRMAIL_TRY(store_copy());
  else clog(log::Record::sender, d).info("not kept in the mailbox (IMS.CTL Discard)");
  if (plan) DIRMAIL_TRY(forward(d, *plan));
  if (control->auto_reply) DIRMAIL_TRY(auto_reply(d, *control->auto_reply, header, options));
  return keep;
}

Result<std::optional<MailControlProcessor::ForwardPlan>> MailControlProcessor::plan_forward(
    const ControlledDelivery& d, const ForwardControl& control, std::string_view header,
    const MailControlOptions& options) {
  const std::string& sender = d.message.envelope.sender;
  const std::string user = to_lower(d.account.address());
  auto skip = [&](std::string_view why) -> std::optional<ForwardPlan> {
    clog(log::Record::sender, d).with("reason", why).info("not forwarded");
    return std::nullopt;
  };
  if (!options.admin_address.empty() && iequals(sender, options.admin_address))
    return skip("the sender is the administrator (loop guard)");
  for (const auto& f : split_header_fields(header))
    if (iequals(f.name, "Delivered-To") && iequals(field_value(f), user)) return skip("already delivered to this user (loop)");
  if (hop_count(header) > max_hops) return skip("too many hops");
  if (control.permit_by_sender) {
    auto permit = store_.read_user_file(d.mailbox_root, "PERMITFROM.TXT", max_list_file);
    if (!permit && permit.error().code == ErrorCode::temporary_failure) return std::move(permit).error();
    if (!permit || !*permit || !listed(list_lines(**permit), sender)) return skip("the sender is not in PERMITFROM.TXT");
  }
  std::vector<std::string> targets;
  if (istarts_with(control.to, "file:")) {
    std::string path(trim(std::string_view(control.to).substr(5)));
    if (path.empty() || path.front() != '/') return skip("FILE: needs an absolute path on this server");
    auto fd = posix::open_file(path, O_RDONLY | O_NONBLOCK);
    if (!fd) return skip("cannot open the FILE: list: " + fd.error().message);
    auto list = posix::pread_up_to(fd->get(), 0, max_list_file, path);
    if (!list) return skip("cannot read the FILE: list: " + list.error().message);
    targets = list_lines(*list);
  } else {
    targets.push_back(to_lower(trim(control.to)));
  }
  std::erase_if(targets, [&](const std::string& t) { return !configured_address_problem(t).empty() || t == user; });
  if (targets.size() > max_forward_targets) targets.resize(max_forward_targets);
  if (targets.empty()) return skip("no valid forward address");

  ForwardPlan plan;
  queue::Envelope& envelope = plan.envelope;
  switch (control.report_to) {
    case ForwardSender::administrator: envelope.sender = options.admin_address; break;
    case ForwardSender::sender: envelope.sender = sender; break;
    case ForwardSender::none: envelope.sender.clear(); break;
    case ForwardSender::address: envelope.sender = control.report_address; break;
  }
  envelope.recipients = targets;
  envelope.auth_user = user;
  envelope.received_at = unix_now();
  envelope.body = d.message.envelope.body;
  envelope.smtputf8 = d.message.envelope.smtputf8;
  plan.length = d.message.body_size;
  plan.delete_attachments = control.delete_attachments;
  plan.size_limit = control.size_limit;
  if (control.size_limit) {
    // The header, then at most SizeLimit bytes of the body (0: the header only).
    std::uint64_t head = std::min<std::uint64_t>(header.size() + 2, d.message.body_size);
    plan.length = std::min<std::uint64_t>(d.message.body_size, head + *control.size_limit);
  }
  return std::optional<ForwardPlan>(std::move(plan));
}

Status MailControlProcessor::forward(const ControlledDelivery& d, const ForwardPlan& plan) {
  // Delivered-To marks the copy: if it comes back here, it is not forwarded again.
  std::string prefix = fmt::format("Delivered-To: {}\r\n", to_lower(d.account.address()));
  if (plan.delete_attachments) {
    // In memory: the message is at most smtp.max_message_size, and what is left small.
    auto whole = posix::pread_up_to(d.fd, d.message.body_offset, d.message.body_size, d.message.path);
    if (!whole) return std::move(whole).error();
    auto stripped = strip_attachments(*whole);
    if (stripped) {
      std::string& text = stripped->bytes;
      if (plan.size_limit) {
        auto head = text.find("\r\n\r\n");
        std::size_t keep = head == std::string::npos ? text.size() : head + 4 + *plan.size_limit;
        if (keep < text.size()) text.resize(keep);
      }
      auto id = queue_text(plan.envelope, prefix + text);
      if (!id) return std::move(id).error();
      clog(log::Record::sender, d).with("to", plan.envelope.recipients.front()).with("forward_id", *id)
          .with("attachments_removed", stripped->removed).info("forwarded (IMS.CTL)");
      return ok_status();
    }
    clog(log::Record::failure, d).with("error", stripped.error().message).warn("attachments not removed; forwarding the message as it is");
  }
  auto id = queue_message(plan.envelope, prefix, d.fd, d.message.body_offset, plan.length);
  if (!id) return std::move(id).error();
  std::string to;
  for (const auto& t : plan.envelope.recipients) to += (to.empty() ? "" : ",") + t;
  clog(log::Record::sender, d).with("to", to).with("forward_id", *id).info("forwarded (IMS.CTL)");
  return ok_status();
}

Status MailControlProcessor::auto_reply(const ControlledDelivery& d, const AutoReplyControl& control,
                                        std::string_view header, const MailControlOptions& options) {
  const std::string sender = to_lower(d.message.envelope.sender);
  auto skip = [&](std::string_view why) {
    clog(log::Record::sender, d).with("reason", why).info("no auto-reply");
    return ok_status();
  };
  if (auto why = auto_reply_refusal(sender, header); !why.empty()) return skip(why);
  if (iequals(sender, d.account.address())) return skip("the sender is the user");
  auto noreply = store_.read_user_file(d.mailbox_root, "NOREPLY.TXT", max_list_file);
  if (!noreply && noreply.error().code == ErrorCode::temporary_failure) return std::move(noreply).error();
  std::vector<std::string> never = noreply && *noreply ? list_lines(**noreply) : std::vector<std::string>{};
  if (listed(never, sender)) return skip("the sender is in NOREPLY.TXT");

  // Who got a reply when: "UNIXTIME ADDRESS" lines, pruned to the interval.
  const std::int64_t now = unix_now();
  auto log_text = store_.read_user_file(d.mailbox_root, "AUTOREPLY.LOG", max_list_file);
  if (!log_text && log_text.error().code == ErrorCode::temporary_failure) return std::move(log_text).error();
  std::map<std::string, std::int64_t> replied;
  if (log_text && *log_text) {
    for (auto line : split(**log_text, '\n')) {
      auto space = line.find(' ');
      if (space == std::string_view::npos) continue;
      auto t = parse_decimal(line.substr(0, space), 19);
      if (t && static_cast<std::int64_t>(*t) + options.auto_reply_interval.count() > now)
        replied[std::string(line.substr(space + 1))] = static_cast<std::int64_t>(*t);
    }
  }
  if (replied.contains(sender)) return skip("already answered within delivery.auto_reply_interval");

  AutoReplyInput in;
  in.user_address = d.account.address();
  in.to = sender;
  in.original_header = std::string(header);
  in.hostname = options.hostname;
  in.now = now;
  auto body = store_.read_user_file(d.mailbox_root, "AUTORPLY.TXT", max_text_file);
  if (!body && body.error().code == ErrorCode::temporary_failure) return std::move(body).error();
  if (body && *body) in.text = **body;
  if (control.echo_message) {
    auto echo = posix::pread_up_to(d.fd, d.message.body_offset, std::min<std::uint64_t>(d.message.body_size, max_echo),
                                   d.message.path);
    if (echo) in.echo = std::move(*echo);
  }
  std::string reply = compose_auto_reply(control, in);
  queue::Envelope envelope;  // from the null sender (RFC 3834 §3.3): nothing answers it
  envelope.recipients.push_back(sender);
  envelope.auth_user = to_lower(d.account.address());
  envelope.received_at = now;
  envelope.body = is_ascii(reply) ? "7BIT" : "8BITMIME";
  auto reply_id = queue_text(envelope, reply);
  if (!reply_id) return std::move(reply_id).error();
  clog(log::Record::sender, d).with("to", sender).with("reply_id", *reply_id).info("auto-reply queued (IMS.CTL)");

  replied[sender] = now;
  std::string updated;
  for (const auto& [address, t] : replied) updated += fmt::format("{} {}\n", t, address);
  if (auto st = store_.write_user_file(d.mailbox_root, "AUTOREPLY.LOG", updated); !st)
    clog(log::Record::failure, d).with("error", st.error().message).warn("cannot record the auto-reply");
  auto append = [&](std::string_view name) {
    auto old = store_.read_user_file(d.mailbox_root, name, max_list_file);
    std::string content = old && *old ? **old : std::string();
    if (listed(list_lines(content), sender)) return;
    if (!content.empty() && content.back() != '\n') content += "\r\n";
    content += sender + "\r\n";
    if (content.size() > max_list_file) return;
    if (auto st = store_.write_user_file(d.mailbox_root, name, content); !st)
      clog(log::Record::failure, d).with("file", name).with("error", st.error().message).warn("cannot record the sender");
  };
  if (control.record_replies) append("REPLIED.TXT");
  if (control.reply_once) append("NOREPLY.TXT");
  return ok_status();
}

}  // namespace dirmail::features
