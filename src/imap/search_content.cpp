#include "search_content.hpp"

#include <optional>

#include "dirmail/base/header_fields.hpp"
#include "dirmail/imap/imap_date.hpp"
#include "dirmail/imap/message_date.hpp"
#include "part_text.hpp"
#include "summary_reader.hpp"

namespace dirmail::imap {
Result<std::vector<bool>> match_by_content(store::MailStore& st, const std::string& root, const std::string& folder,
                                           const SearchKey& key, std::vector<SearchFacts> candidates,
                                           std::size_t max_header) {
  const SearchNeeds needs = search_needs(key);
  std::vector<std::uint32_t> uids;
  for (const auto& c : candidates) uids.push_back(c.uid);
  auto summaries = load_summaries(st, root, folder, uids);
  if (!summaries) return std::move(summaries).error();
  std::vector<bool> matched(candidates.size(), false);
  std::vector<store::MessageSummaryBytes> made;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::optional<MessageSummary>& stored = (*summaries)[i];
    const MessageSummary* summary = stored && (!needs.body || stored->structure_complete) ? &*stored : nullptr;
    const bool fields_kept = summary != nullptr && summary->fields_complete && !needs.whole_header &&
                             summary_has_fields(needs.fields);
    std::string header;
    std::optional<MessageSummary> read_now;
    if (fields_kept) {
      header = summary->fields;
    } else {
      auto read = read_summary(st, root, folder, uids[i], needs.body && summary == nullptr, max_header);
      if (!read && read.error().code == ErrorCode::not_found) continue;
      if (!read) return std::move(read).error();
      header = std::move(read->header);
      if (summary == nullptr) {
        if (std::string bytes = encode_summary(read->summary); !bytes.empty()) made.push_back({uids[i], std::move(bytes)});
        read_now = std::move(read->summary);
        summary = &*read_now;
      }
    }
    SearchContent content;
    content.header = header;
    auto date = first_field_value(header, "Date");
    auto sent = date ? parse_message_date(*date) : std::nullopt;
    content.sent_day = day_of(sent ? *sent : candidates[i].internal_date);
    std::string text;
    if (needs.body) {
      auto opened = st.open_message(root, folder, uids[i]);
      if (!opened && opened.error().code == ErrorCode::not_found) continue;
      if (!opened) return std::move(opened).error();
      auto body = message_text(**opened, summary->structure);
      if (!body) return std::move(body).error();
      text = std::move(*body);
      content.text = text;
    }
    SearchFacts facts = candidates[i];
    facts.content = &content;
    matched[i] = search_matches(key, facts);
  }
  // Derived data: failing to keep it only means reading the messages again next time.
  if (!made.empty()) (void)st.store_summaries(root, folder, made);
  return matched;
}

}  // namespace dirmail::imap
