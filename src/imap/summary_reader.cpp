#include "summary_reader.hpp"

#include <span>

#include "dirmail/imap/message_scanner.hpp"

namespace dirmail::imap {
namespace {

constexpr std::size_t read_chunk = 32 * 1024;

}  // namespace

Result<std::vector<std::optional<MessageSummary>>> load_summaries(store::MailStore& st, const std::string& root,
                                                                   const std::string& folder,
                                                                   const std::vector<std::uint32_t>& uids) {
  auto stored = st.summaries(root, folder, uids);
  if (!stored) return std::move(stored).error();
  std::vector<std::optional<MessageSummary>> out(uids.size());
  for (std::size_t i = 0; i < uids.size() && i < stored->size(); ++i) {
    if (!(*stored)[i]) continue;
    if (auto decoded = decode_summary(*(*stored)[i])) out[i] = std::move(*decoded);
  }
  return out;
}

Result<ReadSummary> read_summary(store::MailStore& st, const std::string& root, const std::string& folder,
                                 std::uint32_t uid, bool structure, std::size_t max_header) {
  auto opened = st.open_message(root, folder, uid);
  if (!opened) return std::move(opened).error();
  auto& reader = **opened;
  std::string chunk(read_chunk, '\0');
  ReadSummary out;
  if (structure) {
    MimeParser parser(max_header);
    for (;;) {
      auto n = reader.read(std::span<char>(chunk.data(), chunk.size()));
      if (!n) return std::move(n).error();
      if (*n == 0) break;
      parser.feed(std::string_view(chunk.data(), *n));
    }
    out.header = std::string(parser.root_header());
    std::uint64_t total = parser.total_size();
    out.summary = make_summary(parser.finish(), total, out.header);
    return out;
  }
  MessageScanner scanner(max_header);
  while (!scanner.header_complete()) {
    auto n = reader.read(std::span<char>(chunk.data(), chunk.size()));
    if (!n) return std::move(n).error();
    if (*n == 0) break;
    scanner.feed(std::string_view(chunk.data(), *n));
  }
  out.header = std::string(scanner.header());
  out.summary = make_header_summary(out.header, scanner.header_size(), reader.size());
  return out;
}

}  // namespace dirmail::imap
