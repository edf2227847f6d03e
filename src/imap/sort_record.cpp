// SORT keys (RFC 5256 §3) from a message header, and the SORT comparison.
#include "dirmail/imap/sort_record.hpp"

#include <algorithm>
#include <numeric>
#include <optional>

#include "dirmail/base/header_fields.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/imap/address_list.hpp"
#include "dirmail/imap/base_subject.hpp"
#include "dirmail/imap/message_date.hpp"

namespace dirmail::imap {
namespace {

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// addr-mailbox of the first address (groups skipped), upper case; empty when none.
std::string first_mailbox(const std::optional<std::string>& value) {
  if (!value) return {};
  for (const auto& a : parse_address_list(*value))
    if (a.host && a.mailbox) return upper(*a.mailbox);
  return {};
}

template <typename T>
int compare(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare_by(const SortRecord& a, const SortRecord& b, SortCriterion::Key key) {
  switch (key) {
    case SortCriterion::Key::arrival: return compare(a.internal_date, b.internal_date);
    case SortCriterion::Key::cc: return compare(a.cc, b.cc);
    case SortCriterion::Key::date: return compare(a.sent_date, b.sent_date);
    case SortCriterion::Key::from: return compare(a.from, b.from);
    case SortCriterion::Key::size: return compare(a.size, b.size);
    case SortCriterion::Key::subject: return compare(a.subject, b.subject);
    case SortCriterion::Key::to: return compare(a.to, b.to);
  }
  return 0;
}

}  // namespace

std::vector<std::string> message_ids(std::string_view value, std::size_t max_ids) {
  std::vector<std::string> ids;
  std::size_t i = 0;
  while (ids.size() < max_ids) {
    std::size_t open = value.find('<', i);
    if (open == std::string_view::npos) break;
    std::size_t close = value.find('>', open);
    if (close == std::string_view::npos) break;
    std::string id;
    for (char c : value.substr(open, close - open + 1))
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id.push_back(c);
    if (id.size() > 2) ids.push_back(std::move(id));
    i = close + 1;
  }
  return ids;
}

void read_sort_fields(std::string_view header, SortRecord& record) {
  std::optional<std::string> date, subject, from, to, cc, message_id, references, in_reply_to;
  for (const auto& field : split_header_fields(header)) {
    std::optional<std::string>* slot = nullptr;
    if (iequals(field.name, "Date")) slot = &date;
    else if (iequals(field.name, "Subject")) slot = &subject;
    else if (iequals(field.name, "From")) slot = &from;
    else if (iequals(field.name, "To")) slot = &to;
    else if (iequals(field.name, "Cc")) slot = &cc;
    else if (iequals(field.name, "Message-ID")) slot = &message_id;
    else if (iequals(field.name, "References")) slot = &references;
    else if (iequals(field.name, "In-Reply-To")) slot = &in_reply_to;
    if (slot != nullptr && !*slot) *slot = field_value(field);  // the first occurrence counts
  }
  std::optional<std::int64_t> sent = date ? parse_message_date(*date) : std::nullopt;
  record.sent_date = sent ? *sent : record.internal_date;
  BaseSubject base = base_subject(subject ? *subject : std::string());
  record.subject = upper(std::move(base.text));
  record.reply_or_forward = base.reply_or_forward;
  record.from = first_mailbox(from);
  record.to = first_mailbox(to);
  record.cc = first_mailbox(cc);
  record.message_id.clear();
  if (message_id) {
    auto ids = message_ids(*message_id, 1);
    if (!ids.empty()) record.message_id = std::move(ids.front());
  }
  record.references.clear();
  if (references) record.references = message_ids(*references, max_thread_references);
  if (record.references.empty() && in_reply_to) record.references = message_ids(*in_reply_to, 1);
}

std::vector<std::size_t> sort_order(std::span<const SortRecord> records, std::span<const SortCriterion> criteria) {
  std::vector<std::size_t> order(records.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const SortRecord& a = records[x];
    const SortRecord& b = records[y];
    for (const auto& c : criteria) {
      int r = compare_by(a, b, c.key);
      if (r != 0) return c.reverse ? r > 0 : r < 0;
    }
    return a.seq < b.seq;
  });
  return order;
}

bool sort_needs_header(std::span<const SortCriterion> criteria) {
  return std::any_of(criteria.begin(), criteria.end(), [](const SortCriterion& c) {
    return c.key != SortCriterion::Key::arrival && c.key != SortCriterion::Key::size;
  });
}

}  // namespace dirmail::imap
