#include "keyword_names.hpp"

#include "dirmail/base/strings.hpp"
#include "dirmail/store/index_record.hpp"
#include "dirmail/store/mail_store.hpp"
#include "index_state.hpp"

namespace dirmail::store {

bool valid_keyword(std::string_view name) {
  if (name.empty() || name.size() > kMaxKeywordLength) return false;
  for (char c : name) {
    // atom-specials (RFC 3501 §9), '\' (flag-extension) and ']' (resp-specials).
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(c) != std::string_view::npos) return false;
  }
  return true;
}

std::optional<std::size_t> keyword_bit(std::span<const std::string> list, std::string_view name) {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (iequals(list[i], name)) return i;
  return std::nullopt;
}

Result<std::uint64_t> keyword_mask(std::span<const std::string> list, std::span<const std::string> names,
                                   std::vector<std::string>& added) {
  std::uint64_t mask = 0;
  for (const auto& name : names) {
    if (!valid_keyword(name)) return make_error(ErrorCode::invalid_argument, "invalid keyword: " + name);
    auto bit = keyword_bit(list, name);
    if (!bit) {
      if (auto more = keyword_bit(added, name)) bit = list.size() + *more;
    }
    if (!bit) {
      if (list.size() + added.size() >= kMaxKeywords)
        return make_error(ErrorCode::limit_exceeded, "the folder already has " + std::to_string(kMaxKeywords) +
                                                         " keywords; no more can be defined");
      bit = list.size() + added.size();
      added.push_back(name);
    }
    mask |= std::uint64_t{1} << *bit;
  }
  return mask;
}

Result<std::uint64_t> folder_keyword_mask(const IndexState& state, std::span<const std::string> names,
                                          std::vector<IndexRecord>& records, bool best_effort) {
  std::vector<std::string> list = state.keywords();
  for (const auto& r : records)
    if (r.kind == IndexRecord::Kind::keyword) list.push_back(r.file);
  std::vector<std::string> added;
  auto mask = keyword_mask(list, names, added);
  if (!mask && best_effort && mask.error().code == ErrorCode::limit_exceeded) {
    std::uint64_t kept = 0;
    added.clear();
    for (const auto& name : names) {
      std::vector<std::string> one;
      auto bit = keyword_mask(list, std::span<const std::string>(&name, 1), one);
      if (!bit) continue;
      kept |= *bit;
      for (auto& n : one) list.push_back(n);
      for (auto& n : one) added.push_back(std::move(n));
    }
    mask = kept;
    list.resize(list.size() - added.size());
  }
  if (!mask) return mask;
  for (std::size_t i = 0; i < added.size(); ++i)
    records.push_back(IndexRecord::make_keyword(static_cast<std::uint8_t>(list.size() + i), std::move(added[i])));
  return mask;
}

std::vector<std::string> keyword_names(std::span<const std::string> list, std::uint64_t mask) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < list.size() && i < 64; ++i)
    if (mask & (std::uint64_t{1} << i)) names.push_back(list[i]);
  return names;
}

}  // namespace dirmail::store
