#pragma once
// A Directory that answers the alias table (aliases.file, aliases.entries)
// before the backend's accounts: an exact alias wins over an account of the same
// address (as the original rewrote aliases before it looked for a mailbox), a
// "*@domain" alias catches only addresses the backend does not know. Aliases apply in
// the backend's mail domains only; everything else is the backend's answer, including
// its errors (a directory outage stays a temporary failure). The table can be swapped
// at any time (reload).
#include <atomic>
#include <memory>

#include "dirmail/directory/directory.hpp"
#include "dirmail/features/alias_table.hpp"

namespace dirmail::features {

class AliasingDirectory final : public directory::Directory {
 public:
  explicit AliasingDirectory(directory::Directory& backend, std::shared_ptr<const AliasTable> table = nullptr)
      : backend_(backend), table_(std::move(table)) {}

  void set_table(std::shared_ptr<const AliasTable> table) { table_.store(std::move(table)); }
  std::shared_ptr<const AliasTable> table() const { return table_.load(); }

  std::string_view backend_name() const override { return backend_.backend_name(); }
  Result<std::vector<std::string>> local_domains() override { return backend_.local_domains(); }
  Result<bool> is_local_domain(std::string_view domain) override { return backend_.is_local_domain(domain); }
  Result<directory::Account> find_account(std::string_view login) override { return backend_.find_account(login); }
  Result<directory::Recipient> resolve_recipient(std::string_view address) override;

 private:
  directory::Directory& backend_;
  std::atomic<std::shared_ptr<const AliasTable>> table_;
};

}  // namespace dirmail::features
