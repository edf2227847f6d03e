#include "dirmail/config/gpo_precedence.hpp"

#include <algorithm>

namespace dirmail::config {
namespace {

const GpoFacts* find_gpo(std::span<const GpoFacts> gpos, const std::string& guid) {
  const auto it = std::find_if(gpos.begin(), gpos.end(), [&](const GpoFacts& g) { return g.guid == guid; });
  return it == gpos.end() ? nullptr : &*it;
}

// The links of `container` that apply, largest link order first.
void add_links(std::vector<ScheduledGpo>& out, const GpoContainer& container, std::span<const GpoFacts> gpos,
               bool enforced) {
  for (auto link = container.links.rbegin(); link != container.links.rend(); ++link) {
    if (link->disabled || link->enforced != enforced) continue;
    const GpoFacts* gpo = find_gpo(gpos, link->guid);
    if (gpo == nullptr || (gpo->flags & kGpoFlagComputerDisabled) != 0 || !gpo->passes_security_filter) continue;
    out.push_back(ScheduledGpo{gpo->guid, gpo->display_name, container.dn, enforced});
  }
}

}  // namespace

std::vector<ScheduledGpo> gpos_in_application_order(std::span<const GpoContainer> chain,
                                                    std::span<const GpoFacts> gpos) {
  // Non-enforced links count only from the deepest container that blocks inheritance.
  std::size_t first_inherited = 0;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if ((chain[i].gp_options & kGpOptionsBlockInheritance) != 0) first_inherited = i;
  }
  std::vector<ScheduledGpo> order;
  for (std::size_t i = first_inherited; i < chain.size(); ++i) add_links(order, chain[i], gpos, false);
  for (std::size_t i = chain.size(); i-- > 0;) add_links(order, chain[i], gpos, true);

  // Keep each GPO's last (highest precedence) place only.
  std::vector<ScheduledGpo> unique;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const bool again_later = std::any_of(order.begin() + static_cast<std::ptrdiff_t>(i) + 1, order.end(),
                                         [&](const ScheduledGpo& g) { return g.guid == order[i].guid; });
    if (!again_later) unique.push_back(std::move(order[i]));
  }
  return unique;
}

}  // namespace dirmail::config
