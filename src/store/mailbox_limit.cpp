#include "dirmail/store/mailbox_limit.hpp"

namespace dirmail::store {

LimitVerdict check_mailbox_limit(std::uint64_t limit, std::uint64_t usage, std::uint64_t size) {
  if (limit == 0) return LimitVerdict::fits;
  if (size > limit) return LimitVerdict::exceeds_limit;
  if (usage >= limit || size > limit - usage) return LimitVerdict::mailbox_full;
  return LimitVerdict::fits;
}

}  // namespace dirmail::store
