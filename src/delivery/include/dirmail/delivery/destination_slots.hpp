#pragma once
// Per-destination concurrency (delivery.destination_concurrency): how many deliveries
// may talk to one destination at once, so that a burst to one domain neither floods
// its servers nor holds every delivery thread. A destination is a domain delivered by
// MX, or a gateway (host:port) for every domain routed to it.
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace dirmail::delivery {

class DestinationSlots {
 public:
  // A slot held; released when destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : owner_(other.owner_), destination_(std::move(other.destination_)) {
      other.owner_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class DestinationSlots;
    Slot(DestinationSlots* owner, std::string destination) : owner_(owner), destination_(std::move(destination)) {}
    DestinationSlots* owner_;
    std::string destination_;
  };

  explicit DestinationSlots(std::size_t limit) : limit_(limit) {}
  void set_limit(std::size_t limit);
  // nullopt when `destination` already has `limit` deliveries in progress.
  std::optional<Slot> try_acquire(const std::string& destination);
  std::size_t in_use(const std::string& destination) const;

 private:
  void release(const std::string& destination);

  mutable std::mutex mu_;
  std::size_t limit_;
  std::map<std::string, std::size_t> busy_;
};

}  // namespace dirmail::delivery
