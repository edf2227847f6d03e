// SORT and THREAD (RFC 5256), and UID SORT / UID THREAD. The messages the search keys
// match have their headers read once, on the blocking pool, into SortRecords (a few
// short strings each); the header itself is dropped straight away.
#include <span>

#include <fmt/format.h>

#include "dirmail/imap/message_scanner.hpp"
#include "dirmail/imap/message_threads.hpp"
#include "imap_session.hpp"

namespace dirmail::imap {
namespace {

// Header bytes read per message: the fields SORT and THREAD use come first in practice,
// and a bound keeps a hostile message from costing more.
constexpr std::size_t max_sort_header = 64 * 1024;

// Runs on the blocking pool. A message expunged meanwhile keeps its INTERNALDATE and
// empty keys, as if it had no header.
Status read_headers(store::MailStore& st, const std::string& root, const std::string& folder,
                    std::vector<SortRecord>& records) {
  std::string chunk(message_chunk, '\0');
  for (auto& record : records) {
    auto opened = st.open_message(root, folder, record.uid);
    if (!opened && opened.error().code == ErrorCode::not_found) continue;
    if (!opened) return std::move(opened).error();
    MessageScanner scanner(max_sort_header);
    while (!scanner.header_complete() && scanner.total_size() < max_sort_header) {
      auto n = (*opened)->read(std::span<char>(chunk.data(), chunk.size()));
      if (!n) return std::move(n).error();
      if (*n == 0) break;
      scanner.feed(std::string_view(chunk.data(), *n));
    }
    read_sort_fields(scanner.header(), record);
  }
  return ok_status();
}

}  // namespace

net::awaitable<std::optional<std::vector<SortRecord>>> ImapSession::sort_records(const ImapCommand& cmd, bool headers) {
  auto found = search_positions(cmd);
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
