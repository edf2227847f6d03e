#include "dirmail/features/aliasing_directory.hpp"

namespace dirmail::features {

Result<directory::Recipient> AliasingDirectory::resolve_recipient(std::string_view address) {
  auto answer = backend_.resolve_recipient(address);
  if (!answer || answer->kind == directory::RecipientKind::not_local) return answer;
  auto table = table_.load();
  if (!table || table->empty()) return answer;
  auto found = table->find_exact(address);
  if (!found && answer->kind == directory::RecipientKind::unknown) found = table->find_wildcard(address);
  if (!found) return answer;
  directory::Recipient alias;
  alias.kind = directory::RecipientKind::alias;
  alias.shows_target = shows_real_address(address, found->target, found->shown);
  alias.targets.push_back(std::move(found->target));
  return alias;
}

}  // namespace dirmail::features
