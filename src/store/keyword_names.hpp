#pragma once
// A folder's keyword list (mail_store.hpp): finding a name's bit, and the bits of a
// set of names, defining the names the list does not have yet.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::store {

// The bit of `name` in `list` (IMAP flags compare without case), or nullopt.
std::optional<std::size_t> keyword_bit(std::span<const std::string> list, std::string_view name);

// The mask of `names` over `list`; names `list` lacks are appended to `added` (and get
// the bits after list.size() + the earlier added ones). invalid_argument for a bad
// name; limit_exceeded when the list would pass kMaxKeywords.
Result<std::uint64_t> keyword_mask(std::span<const std::string> list, std::span<const std::string> names,
                                   std::vector<std::string>& added);

class IndexState;
struct IndexRecord;

// The mask of `names` in the folder whose index is `state`, with `records` the records
// about to be appended: a name neither defines gets a K record appended to `records`.
// With `best_effort` names that do not fit are left out (COPY keeps what it can)
// instead of failing with limit_exceeded.
Result<std::uint64_t> folder_keyword_mask(const IndexState& state, std::span<const std::string> names,
                                          std::vector<IndexRecord>& records, bool best_effort = false);

// The names of the bits of `mask`, in bit order.
std::vector<std::string> keyword_names(std::span<const std::string> list, std::uint64_t mask);

}  // namespace dirmail::store
