#include "dirmail/delivery/destination_slots.hpp"

#include <algorithm>

namespace dirmail::delivery {

DestinationSlots::Slot::~Slot() {
  if (owner_) owner_->release(destination_);
}

void DestinationSlots::set_limit(std::size_t limit) {
  std::lock_guard lock(mu_);
  limit_ = limit;
}

std::optional<DestinationSlots::Slot> DestinationSlots::try_acquire(const std::string& destination) {
  std::lock_guard lock(mu_);
  auto& busy = busy_[destination];
  if (busy >= std::max<std::size_t>(1, limit_)) return std::nullopt;
  ++busy;
  return Slot(this, destination);
}

std::size_t DestinationSlots::in_use(const std::string& destination) const {
  std::lock_guard lock(mu_);
  auto it = busy_.find(destination);
  return it == busy_.end() ? 0 : it->second;
}

void DestinationSlots::release(const std::string& destination) {
  std::lock_guard lock(mu_);
  auto it = busy_.find(destination);
  if (it == busy_.end()) return;
  if (--it->second == 0) busy_.erase(it);
}

}  // namespace dirmail::delivery
