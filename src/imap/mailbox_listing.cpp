#include "dirmail/imap/mailbox_listing.hpp"

#include <map>

#include "dirmail/imap/imap_string.hpp"
#include "dirmail/imap/mailbox_name_codec.hpp"
#include "dirmail/imap/mailbox_names.hpp"

namespace dirmail::imap {
namespace {

struct Node {
  std::string wire;  // modified UTF-7
  bool exists = false;
  bool subscribed = false;
  bool has_children = false;  // a folder exists below it
  bool matched = false;       // by one of the patterns
  bool parent_of_unmatched = false;  // a selected name below it was not matched
};

// Calls `f` with each proper ancestor of `name`: "a", "a/b" for "a/b/c".
template <typename F>
void for_each_ancestor(std::string_view name, F f) {
  for (std::size_t slash = name.find(hierarchy_delimiter); slash != std::string_view::npos;
       slash = name.find(hierarchy_delimiter, slash + 1))
    f(name.substr(0, slash));
}

std::string response(std::string_view kind, const std::vector<std::string_view>& attributes, std::string_view wire,
                     std::string_view extra = {}) {
  std::string out = "* ";
  out.append(kind);
  out.append(" (");
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(attributes[i]);
  }
  out.append(") \"/\" ");
  append_astring(out, wire);
  out.append(extra);
  return out;
}

}  // namespace

std::vector<std::string> list_mailboxes(const ListRequest& request, std::span<const std::string> folders,
                                        std::span<const std::string> subscriptions) {
  const ListOptions& o = request.options;
  std::vector<std::string> out;
  bool wants_names = false;
  for (const auto& p : request.patterns) {
    if (!p.empty()) wants_names = true;
    else if (!request.lsub && out.empty()) out.push_back("* LIST (\\Noselect) \"/\" \"\"");  // RFC 3501: the delimiter
  }
  if (!wants_names) return out;

  std::map<std::string, Node> nodes;  // byte order of the UTF-8 names
  auto node = [&](std::string_view name) -> Node& { return nodes[std::string(name)]; };
  node("INBOX").exists = true;
  node("INBOX").subscribed = true;
  for (const auto& f : folders) {
    node(f).exists = true;
    for_each_ancestor(f, [&](std::string_view a) { node(a).has_children = true; });
  }
  for (const auto& s : subscriptions) {
    node(s).subscribed = true;
    for_each_ancestor(s, [&](std::string_view a) { node(a); });
  }

  // What the selection options pick (RFC 5258 §3): folders, or subscribed names.
  const bool by_subscription = request.lsub || o.select_subscribed;
  auto is_selected = [&](const std::string& name, const Node& n) {
    if (by_subscription ? !n.subscribed : !n.exists) return false;
    return !o.select_special_use || (n.exists && !special_use_attribute(name).empty());
  };
  for (auto& [name, n] : nodes) {
    auto wire = encode_mailbox_name(name);
    if (!wire) continue;  // not UTF-8: never listed (the store refuses such names)
    n.wire = std::move(*wire);
    for (const auto& p : request.patterns)
      if (!p.empty() && list_pattern_matches(request.reference, p, n.wire)) n.matched = true;
  }
  for (const auto& [name, n] : nodes) {
    if (n.wire.empty() || n.matched || !is_selected(name, n)) continue;
    for_each_ancestor(name, [&](std::string_view a) { nodes[std::string(a)].parent_of_unmatched = true; });
  }

  const std::string_view kind = request.lsub ? "LSUB" : "LIST";
  auto emit = [&](const std::string& name, const Node& n) {
    if (!n.matched) return;
    const bool selected = is_selected(name, n);
    std::vector<std::string_view> attributes;
    if (request.lsub) {
      // RFC 3501 §6.3.9: a level "%" stops at, not itself subscribed, is \Noselect.
      if (selected) out.push_back(response(kind, attributes, n.wire));
      else if (n.parent_of_unmatched) out.push_back(response(kind, {"\\Noselect"}, n.wire));
      return;
    }
    // RECURSIVEMATCH: a parent of subscribed names the pattern did not reach (CHILDINFO).
    const bool recursive_parent = !selected && o.recursive_match && o.select_subscribed && n.parent_of_unmatched;
    const bool implied_parent =
        !selected && !by_subscription && !o.select_special_use && !n.exists && n.parent_of_unmatched;
    if (!selected && !recursive_parent && !implied_parent) return;
    if (!n.exists) attributes.push_back(o.extended ? "\\NonExistent" : "\\Noselect");
    if (n.subscribed && (o.select_subscribed || o.return_subscribed)) attributes.push_back("\\Subscribed");
    if (n.has_children) attributes.push_back("\\HasChildren");
    else if (n.exists) attributes.push_back("\\HasNoChildren");
    if (n.exists && !special_use_attribute(name).empty()) attributes.push_back(special_use_attribute(name));
    const bool childinfo = o.recursive_match && o.select_subscribed && n.parent_of_unmatched;
    out.push_back(response(kind, attributes, n.wire, childinfo ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : ""));
  };
  emit("INBOX", nodes["INBOX"]);
  for (const auto& [name, n] : nodes)
    if (name != "INBOX") emit(name, n);
  return out;
}

}  // namespace dirmail::imap
