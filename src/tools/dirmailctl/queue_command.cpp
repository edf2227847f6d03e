// dirmailctl queue list|show|flush|hold|release|delete|bounce: the administrator's view
// of queue.dir and the changes they may make to it beside a running daemon.
//
// list and show only read. hold, release, delete and bounce first claim the message
// (queue/message_claim.hpp), waiting for a delivery attempt in progress, so that they
// never change a message delivery is working on. flush, release and bounce ask the
// daemon of this node (its pid file, queue/daemon_pid_file.hpp) to look at the queue
// now with SIGUSR1.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include <fmt/format.h>

#include "command_words.hpp"
#include "commands.hpp"
#include "daemon_client.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/base/time.hpp"
#include "dirmail/config/host_names.hpp"
#include "dirmail/config/settings.hpp"
#include "dirmail/features/feature_settings.hpp"
#include "dirmail/queue/daemon_pid_file.hpp"
#include "dirmail/queue/file_queue.hpp"
#include "dirmail/queue/message_claim.hpp"
#include "dirmail/queue/queue_listing.hpp"
#include "dirmail/queue/report_queueing.hpp"
#include "dirmail/store_settings/storage_from_settings.hpp"
#include "queue_view.hpp"

namespace dirmail::ctl {
namespace {

constexpr const char* queue_usage =
    "usage: dirmailctl queue list [--json]\n"
    "       dirmailctl queue show ID [--json]\n"
    "       dirmailctl queue flush [ID]      ask dirmaild to try deferred messages now\n"
    "       dirmailctl queue hold ID         keep a message from delivery until released\n"
    "       dirmailctl queue release ID      deliver a held message again (and flush)\n"
    "       dirmailctl queue delete ID       remove a message, telling nobody\n"
    "       dirmailctl queue bounce ID       give up on its pending recipients: the sender gets\n"
    "                                        a delivery report, then the message is removed\n";

constexpr std::string_view bounce_reason = "bounced by the administrator";

int usage(std::ostream& err) {
  err << queue_usage;
  return 2;
}

int failed(std::ostream& err, const std::string& message) {
  err << "dirmailctl: " << message << "\n";
  return 1;
}

struct QueueContext {
  const config::Settings& settings;
  queue::QueueLocation where;  // queue.dir: a local folder or a share
  std::ostream& out;
  std::ostream& err;
  std::string node() const { return config::node_name(settings); }
  Result<std::unique_ptr<queue::FileQueue>> open_queue() const { return queue::FileQueue::open(where, node()); }
};

Result<queue::QueueLocation> queue_location(const config::Settings& s) {
  auto mailboxes = store_settings::mailbox_location(s);
  if (!mailboxes) return std::move(mailboxes).error();
  auto local = store_settings::queue_location(s, *mailboxes, nullptr);
  if (local || s.store_backend != "smb") return local;  // no logon to a share the queue is not on
  // A ticket cache of its own: the daemon's must not be overwritten (nor removed at exit).
  auto share = store_settings::share_file_system(s, "smb-store-dirmailctl-" + std::to_string(::getpid()) + ".ccache");
  if (!share) return std::move(share).error();
  return store_settings::queue_location(s, *mailboxes, std::move(*share));
}

Result<queue::MessageClaim> claim(const QueueContext& c, const std::string& id) {
  return queue::MessageClaim::acquire(c.where, id, [&] {
    c.err << "dirmailctl: message " << id << " is being delivered; waiting for the attempt to end\n";
  });
}

// SIGUSR1 to this node's dirmaild. `after` says what has been done already, for the
// message when no daemon runs.
int ask_daemon_to_flush(const QueueContext& c, std::string_view done) {
  // The control socket first: it answers whether delivery runs on this node.
  auto asked = ask_daemon(c.settings.server_control_socket, "flush");
  if (asked && reply_ok(*asked)) {
    if (!done.empty()) c.out << done << "; ";
    c.out << "dirmaild (pid " << json_int(*asked, "pid") << ") is trying the queue now";
    if (const std::string note = json_string(*asked, "note"); !note.empty()) c.out << " (but " << note << ")";
    c.out << "\n";
    return 0;
  }
  if (asked) return failed(c.err, (done.empty() ? "" : std::string(done) + "; but ") + reply_error(*asked));
  if (asked.error().code == ErrorCode::permission_denied) return failed(c.err, asked.error().message);
  // No socket (a daemon of an older version): its pid file and SIGUSR1.
  auto pid = queue::running_daemon_pid(c.where.local_dir, c.node());
  if (!pid) {
    if (!done.empty()) {  // the change is made; the daemon picks it up when it starts
      c.out << done << "; " << pid.error().message << ": the queue is read when it starts\n";
      return 0;
    }
    return failed(c.err, pid.error().message);
  }
  if (::kill(*pid, SIGUSR1) != 0) return failed(c.err, fmt::format("cannot signal dirmaild (pid {}): {}", *pid, std::strerror(errno)));
  if (!done.empty()) c.out << done << "; ";
  c.out << "dirmaild (pid " << *pid << ") is trying the queue now";
  if (!c.settings.delivery_enabled) c.out << " (but delivery.enabled is false on this node)";
  c.out << "\n";
  return 0;
}

int list(const QueueContext& c, bool json) {
  auto listing = queue::list_queue_folder(c.where);
  if (!listing) return failed(c.err, c.settings.queue_dir + ": " + listing.error().message);
  print_queue_list(*listing, json, c.out);
  return 0;
}

int show(const QueueContext& c, const std::string& id, bool json) {
  auto entry = queue::read_listed_message(c.where, id);
  if (!entry) return failed(c.err, entry.error().message);
  auto header = queue::read_message_header(*c.where.fs, entry->message);
  if (!header) return failed(c.err, header.error().message);
  print_queue_message(*entry, *header, json, c.out);
  return 0;
}

int flush(const QueueContext& c, const std::string& id) {
  if (!id.empty()) {
    auto entry = queue::read_listed_message(c.where, id);
    if (!entry) return failed(c.err, entry.error().message);
    if (entry->held) return failed(c.err, "message " + id + " is held: release it (dirmailctl queue release " + id + ")");
  }
  return ask_daemon_to_flush(c, "");
}

int hold(const QueueContext& c, const std::string& id) {
  auto claimed = claim(c, id);
  if (!claimed) return failed(c.err, claimed.error().message);
  if (auto st = claimed->hold(); !st) return failed(c.err, st.error().message);
  c.out << "message " << id << " is held\n";
  return 0;
}

int release(const QueueContext& c, const std::string& id) {
  {
    auto claimed = claim(c, id);
    if (!claimed) return failed(c.err, claimed.error().message);
    if (auto st = claimed->release(); !st) return failed(c.err, st.error().message);
  }  // the claim ends before the daemon looks
  return ask_daemon_to_flush(c, "message " + id + " is released");
}

// Claims the message and brings a held one back to incoming/, where FileQueue works on it
// (delivery cannot take it while the claim lasts).
Result<queue::MessageClaim> claim_in_incoming(const QueueContext& c, const std::string& id) {
  auto claimed = claim(c, id);
  if (!claimed) return claimed;
  if (claimed->held()) DIRMAIL_TRY(claimed->release());
  return claimed;
}

int remove(const QueueContext& c, const std::string& id) {
  auto claimed = claim_in_incoming(c, id);
  if (!claimed) return failed(c.err, claimed.error().message);
  auto q = c.open_queue();
  if (!q) return failed(c.err, c.settings.queue_dir + ": " + q.error().message);
  if (auto st = (*q)->remove(id); !st) return failed(c.err, st.error().message);
  c.out << "message " << id << " is deleted\n";
  return 0;
}

int bounce(const QueueContext& c, const std::string& id) {
  std::string done;
  {
    auto claimed = claim_in_incoming(c, id);
    if (!claimed) return failed(c.err, claimed.error().message);
    auto q = c.open_queue();
    if (!q) return failed(c.err, c.settings.queue_dir + ": " + q.error().message);
    auto opened = (*q)->open_claimed(id);
    if (!opened) return failed(c.err, opened.error().message);
    const queue::QueuedMessage* msg = &opened->message;
    const posix::UniqueFd* fd = &opened->fd;

    const std::int64_t now = unix_now();
    std::vector<queue::RecipientOutcome> outcomes;
    for (std::size_t i = 0; i < msg->states.size(); ++i) {
      if (msg->states[i] != queue::RecipientState::pending) continue;
      queue::RecipientOutcome o;
      o.index = i;
      o.action = queue::ReportAction::failed;
      o.status = "5.0.0";
      o.diagnostic = bounce_reason;
      o.diagnostic_type = "X-dirmail";
      o.last_attempt = now;
      outcomes.push_back(std::move(o));
    }
    // The reports first, then the outcomes: a crash in between sends a report twice
    // rather than never.
    queue::ReportOptions options;
    options.reporting_mta = config::host_name(c.settings);
    options.now = now;
    queue::AdminCopyOptions admin{c.settings.delivery_admin_error_copy,
                                  features::admin_address(c.settings, options.reporting_mta)};
    auto reports = queue::queue_delivery_reports(**q, *msg, fd->get(), outcomes, options, admin);
    if (!reports) return failed(c.err, "cannot read the message for its report: " + reports.error().message);
    for (const auto& r : *reports) {
      if (r.id.empty()) return failed(c.err, "cannot queue the report to " + r.recipient + ": " + r.error);
    }
    for (const auto& o : outcomes) {
      if (auto st = (*q)->set_recipient_state(id, o.index, queue::RecipientState::failed, bounce_reason); !st)
        return failed(c.err, st.error().message);
    }
    if (auto st = (*q)->remove(id); !st) return failed(c.err, st.error().message);
    done = fmt::format("message {} is bounced ({} pending {})", id, outcomes.size(),
                       outcomes.size() == 1 ? "recipient" : "recipients");
    for (const auto& r : *reports) done += fmt::format("; report {} to <{}> queued", r.id, r.recipient);
    if (reports->empty()) done += "; no report (the sender takes none, or no recipient asked for one)";
    if (reports->empty()) {
      c.out << done << "\n";
      return 0;
    }
  }
  return ask_daemon_to_flush(c, done);
}

}  // namespace

int queue_command(const config::Settings& settings, const Args& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err);
  const std::string& verb = args.front();
  auto words = parse_words(args, {}, {"--json"});  // from the word after the verb
  if (!words) {
    err << "dirmailctl: " << words.error().message << "\n";
    return usage(err);
  }
  const auto& ids = words->positional;
  const bool json = words->flags.count("--json") > 0;
  if (json && verb != "list" && verb != "show") return usage(err);
  auto where = queue_location(settings);
  if (!where) return failed(err, where.error().message);
  QueueContext c{settings, std::move(*where), out, err};
  if (verb == "list" && ids.empty()) return list(c, json);
  if (verb == "flush" && ids.size() <= 1) return flush(c, ids.empty() ? std::string() : ids[0]);
  if (ids.size() != 1) return usage(err);
  if (verb == "show") return show(c, ids[0], json);
  if (verb == "hold") return hold(c, ids[0]);
  if (verb == "release") return release(c, ids[0]);
  if (verb == "delete") return remove(c, ids[0]);
  if (verb == "bounce") return bounce(c, ids[0]);
  return usage(err);
}

}  // namespace dirmail::ctl
