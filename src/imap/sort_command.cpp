// SORT and THREAD (RFC 5256), and UID SORT / UID THREAD. The fields of the messages the
// search keys match come from their summaries (or their headers, read once and kept as
// summaries), on the blocking pool, into SortRecords (a few short strings each).
#include <span>

#include <fmt/format.h>

#include "dirmail/imap/message_threads.hpp"
#include "imap_session.hpp"
#include "summary_reader.hpp"

namespace dirmail::imap {
namespace {

// Header bytes read per message: the fields SORT and THREAD use come first in practice,
// and a bound keeps a hostile message from costing more.
constexpr std::size_t max_sort_header = 64 * 1024;

// Runs on the blocking pool: the sort fields from each message's summary, made from
// its header (and kept) where there is none yet. A message expunged meanwhile keeps
// its INTERNALDATE and empty keys, as if it had no header.
Status read_headers(store::MailStore& st, const std::string& root, const std::string& folder,
                    std::vector<SortRecord>& records) {
  std::vector<std::uint32_t> uids;
  for (const auto& record : records) uids.push_back(record.uid);
  auto summaries = load_summaries(st, root, folder, uids);
  if (!summaries) return std::move(summaries).error();
  std::vector<store::MessageSummaryBytes> made;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& summary = (*summaries)[i];
    if (summary && summary->fields_complete) {
      read_sort_fields(summary->fields, records[i]);
      continue;
    }
    auto read = read_summary(st, root, folder, records[i].uid, false, max_sort_header);
    if (!read && read.error().code == ErrorCode::not_found) continue;
    if (!read) return std::move(read).error();
    read_sort_fields(read->header, records[i]);
    if (std::string bytes = encode_summary(read->summary); !bytes.empty()) made.push_back({records[i].uid, std::move(bytes)});
  }
  // Derived data: failing to keep it only means reading the headers again next time.
  if (!made.empty()) (void)st.store_summaries(root, folder, made);
  return ok_status();
}

}  // namespace

net::awaitable<std::optional<std::vector<SortRecord>>> ImapSession::sort_records(const ImapCommand& cmd, bool headers) {
  auto found = co_await search_positions(cmd);
  if (!found) co_return std::nullopt;
  std::vector<SortRecord> records(found->size());
  for (std::size_t k = 0; k < found->size(); ++k) {
    const std::size_t i = (*found)[k];
    SortRecord& r = records[k];
    r.seq = static_cast<std::uint32_t>(i + 1);
    r.uid = messages_[i].uid;
    r.size = messages_[i].size;
    r.internal_date = r.sent_date = messages_[i].internal_date;
  }
  if (!headers || records.empty()) co_return records;
  auto* st = service_->store;
  auto load = [st, root = mailbox_root_, name = selected_folder_, records = std::move(records)]() mutable
      -> Result<std::vector<SortRecord>> {  // named: see BlockingPool::run
    DIRMAIL_TRY(read_headers(*st, root, name, records));
    return std::move(records);
  };
  auto loaded = co_await service_->pool->run(load);
  if (!loaded) {
    line(log::Record::store).with("error", loaded.error().message).error("cannot read headers to sort");
    tagged(cmd.tag, "NO [UNAVAILABLE] Cannot read the messages, try again later");
    co_return std::nullopt;
  }
  co_return std::move(*loaded);
}

net::awaitable<void> ImapSession::sort(const ImapCommand& cmd) {
  auto records = co_await sort_records(cmd, sort_needs_header(cmd.sort));
  if (!records) co_return;
  std::string result = "* SORT";
  for (std::size_t i : sort_order(*records, cmd.sort)) {
    const SortRecord& r = (*records)[i];
    result += fmt::format(" {}", cmd.uid ? r.uid : r.seq);
  }
  reply(result);
  tagged(cmd.tag, cmd.uid ? "OK UID SORT completed" : "OK SORT completed");
}

net::awaitable<void> ImapSession::thread(const ImapCommand& cmd) {
  auto records = co_await sort_records(cmd, true);
  if (!records) co_return;
  auto threads = cmd.thread == ThreadAlgorithm::references ? thread_by_references(*records, cmd.uid)
                                                           : thread_by_ordered_subject(*records, cmd.uid);
  reply(threads.empty() ? std::string("* THREAD") : "* THREAD " + format_threads(threads));
  tagged(cmd.tag, cmd.uid ? "OK UID THREAD completed" : "OK THREAD completed");
}

}  // namespace dirmail::imap
