#include "dirmail/directory/keytab_ticket_cache.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../ldap/gssapi_credentials.hpp"

namespace dirmail::directory {
namespace {

using Clock = std::chrono::system_clock;

// After a failed renewal: soon enough to get a ticket long before the old one ends.
constexpr std::chrono::seconds kRetryAfter{60};

std::int64_t seconds_of(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Clock::time_point ticket_refresh_time(Clock::time_point issued, Clock::time_point expires) {
  if (expires <= issued) return issued;
  return issued + (expires - issued) / 2;
}

KeytabTicketCache::KeytabTicketCache(std::unique_ptr<KeytabCredentials> credentials)
    : credentials_(std::move(credentials)),
      due_seconds_(seconds_of(ticket_refresh_time(credentials_->issued(), credentials_->expires()))),
      expires_seconds_(seconds_of(credentials_->expires())) {}

KeytabTicketCache::~KeytabTicketCache() = default;

Result<std::unique_ptr<KeytabTicketCache>> KeytabTicketCache::acquire(const KeytabTicketCacheOptions& options) {
  if (options.cache_file.empty())
    return make_error(ErrorCode::invalid_argument, options.context + ": no file for the credential cache");
  // Said before the KDC is asked: krb5 reads the keytab only after the KDC's answer, so a
  // missing keytab would otherwise look like whatever the KDC did.
  std::string_view path = options.keytab;
  if (path.starts_with("FILE:")) path.remove_prefix(5);
  if (!path.empty() && ::access(std::string(path).c_str(), R_OK) != 0) {
    const int error = errno;
    return make_error(ErrorCode::invalid_argument,
                      options.context + ": cannot read the keytab " + options.keytab + ": " + std::strerror(error));
  }
  auto credentials = KeytabCredentials::acquire(options.keytab, options.principal, options.context, options.cache_file);
  if (!credentials) return std::move(credentials).error();
  return std::unique_ptr<KeytabTicketCache>(new KeytabTicketCache(std::move(*credentials)));
}

const std::string& KeytabTicketCache::principal() const { return credentials_->principal(); }
const std::string& KeytabTicketCache::cache_name() const { return credentials_->cache_name(); }

Clock::time_point KeytabTicketCache::expires() const {
  return Clock::time_point(std::chrono::seconds(expires_seconds_.load()));
}

Result<bool> KeytabTicketCache::refresh_if_due(std::mutex& cache_readers) {
  if (seconds_of(Clock::now()) < due_seconds_.load()) return false;
  std::unique_lock lock(refreshing_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  const auto now = Clock::now();
  if (seconds_of(now) < due_seconds_.load()) return false;  // another thread just did it
  if (auto renewed = credentials_->refresh(cache_readers); !renewed) {
    due_seconds_ = seconds_of(now + kRetryAfter);
    return std::move(renewed).error();
  }
  expires_seconds_ = seconds_of(credentials_->expires());
  due_seconds_ = seconds_of(ticket_refresh_time(credentials_->issued(), credentials_->expires()));
  return true;
}

}  // namespace dirmail::directory
