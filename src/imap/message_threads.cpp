// RFC 5256 THREAD algorithms. REFERENCES follows the RFC's steps (after Jamie
// Zawinski's threading): containers per Message-ID linked by References, placeholders
// pruned, roots gathered by base subject, siblings sorted by sent date.
#include "dirmail/imap/message_threads.hpp"

#include <algorithm>
#include <map>
#include <string_view>

#include <fmt/format.h>

namespace dirmail::imap {
namespace {

constexpr int none = -1;

std::uint32_t id_of(const SortRecord& r, bool uid) { return uid ? r.uid : r.seq; }

// Sent date, then message number: the order of siblings and of threads.
bool earlier(const SortRecord& a, const SortRecord& b) {
  if (a.sent_date != b.sent_date) return a.sent_date < b.sent_date;
  return a.seq < b.seq;
}

struct Container {
  int message = none;  // index into the records; none for a placeholder
  int parent = none;
  std::vector<int> children;
};

class ReferenceThreader {
 public:
  ReferenceThreader(std::span<const SortRecord> records, bool uid) : records_(records), uid_(uid) {}

  std::vector<ThreadNode> run() {
    // Step 1: a container per Message-ID, linked along each message's References.
    for (std::size_t i = 0; i < records_.size(); ++i) add_message(static_cast<int>(i));
    // Step 2: the root set.
    std::vector<int> roots;
    for (std::size_t c = 0; c < containers_.size(); ++c)
      if (containers_[c].parent == none) roots.push_back(static_cast<int>(c));
    // Step 4: placeholders without children go; those with one child, or not at the top, give way to them.
    roots = prune(roots, true);
    // Step 5: roots with the same base subject gathered together.
    roots = gather_by_subject(roots);
    // Step 6: siblings by sent date, lowest level first.
    std::vector<ThreadNode> threads;
    std::vector<const SortRecord*> firsts;
    for (int r : roots) {
      const SortRecord* first = nullptr;
      threads.push_back(build(r, first));
      firsts.push_back(first);
    }
    return in_date_order(std::move(threads), firsts);
  }

 private:
  int create() {
    containers_.push_back({});
    return static_cast<int>(containers_.size() - 1);
  }
  int find_or_create(const std::string& id) {
    auto [it, added] = by_id_.try_emplace(id, none);
    if (added) it->second = create();
    return it->second;
  }
  // Whether `ancestor` is `c` or above it.
  bool is_at_or_above(int ancestor, int c) const {
    for (int n = c; n != none; n = containers_[static_cast<std::size_t>(n)].parent)
      if (n == ancestor) return true;
    return false;
  }
  Container& at(int c) { return containers_[static_cast<std::size_t>(c)]; }
  // Whether a child under `parent` would stay within max_thread_depth.
  bool has_room_below(int parent) const {
    std::size_t depth = 1;
    for (int n = parent; n != none; n = containers_[static_cast<std::size_t>(n)].parent)
      if (++depth >= max_thread_depth) return false;
    return true;
  }
  void link(int parent, int child) {
    at(child).parent = parent;
    at(parent).children.push_back(child);
  }
  void unlink(int child) {
    int p = at(child).parent;
    if (p == none) return;
    auto& siblings = at(p).children;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), child), siblings.end());
    at(child).parent = none;
  }

  void add_message(int index) {
    const SortRecord& r = records_[static_cast<std::size_t>(index)];
    // A missing or duplicate Message-ID makes a container of its own.
    int c = none;
    if (!r.message_id.empty()) {
      c = find_or_create(r.message_id);
      if (at(c).message != none) c = none;
    }
    if (c == none) c = create();
    at(c).message = index;
    int previous = none;
    for (const auto& ref : r.references) {
      int next = find_or_create(ref);
      // Existing links stay; none that would close a loop is added.
      if (previous != none && at(next).parent == none && !is_at_or_above(next, previous) && has_room_below(previous))
        link(previous, next);
      previous = next;
    }
    // The message's parent is its last reference, whatever it was before.
    unlink(c);
    if (previous != none && !is_at_or_above(c, previous) && has_room_below(previous)) link(previous, c);
  }

  std::vector<int> prune(const std::vector<int>& list, bool top) {
    std::vector<int> out;
    for (int c : list) {
      at(c).children = prune(at(c).children, false);
      if (at(c).message != none) {
        out.push_back(c);
      } else if (at(c).children.empty()) {
        continue;
      } else if (top && at(c).children.size() > 1) {
        out.push_back(c);
      } else {
        for (int child : at(c).children) {
          at(child).parent = top ? none : at(c).parent;
          out.push_back(child);
        }
      }
    }
    return out;
  }

  const SortRecord* message_of(int c) {
    if (at(c).message != none) return &records_[static_cast<std::size_t>(at(c).message)];
    for (int child : at(c).children)
      if (const SortRecord* r = message_of(child)) return r;
    return nullptr;
  }

  std::vector<int> gather_by_subject(const std::vector<int>& roots) {
    std::map<std::string_view, int> table;
    for (int c : roots) {
      const SortRecord* r = message_of(c);
      if (r == nullptr || r->subject.empty()) continue;
      auto [it, added] = table.try_emplace(r->subject, c);
      if (added) continue;
      int t = it->second;
      bool this_dummy = at(c).message == none;
      bool table_dummy = at(t).message == none;
      const SortRecord* tr = message_of(t);
      if ((this_dummy && !table_dummy) ||
          (!this_dummy && !table_dummy && tr->reply_or_forward && !r->reply_or_forward))
        it->second = c;
    }
    std::vector<int> out;
    for (int c : roots) {
      const SortRecord* r = message_of(c);
      if (r == nullptr || r->subject.empty()) {
        out.push_back(c);
        continue;
      }
      int t = table.at(r->subject);
      if (t == c) {
        out.push_back(c);
        continue;
      }
      bool this_dummy = at(c).message == none;
      bool table_dummy = at(t).message == none;
      if (this_dummy && table_dummy) {
        for (int child : at(c).children) link(t, child);
        at(c).children.clear();
      } else if (table_dummy) {
        link(t, c);
      } else if (!this_dummy && r->reply_or_forward && !message_of(t)->reply_or_forward) {
        link(t, c);
      } else {
        // Both siblings under a new placeholder that takes the table container's place.
        int moved = create();
        at(moved).message = at(t).message;
        at(moved).children = std::move(at(t).children);
        for (int child : at(moved).children) at(child).parent = moved;
        at(t).message = none;
        at(t).children.clear();
        link(t, moved);
        link(t, c);
      }
    }
    return out;
  }

  ThreadNode build(int c, const SortRecord*& first) {
    ThreadNode node;
    std::vector<ThreadNode> children;
    std::vector<const SortRecord*> firsts;
    for (int child : at(c).children) {
      const SortRecord* f = nullptr;
      children.push_back(build(child, f));
      firsts.push_back(f);
    }
    node.children = in_date_order(std::move(children), firsts);
    if (at(c).message != none) {
      const SortRecord& r = records_[static_cast<std::size_t>(at(c).message)];
      node.id = id_of(r, uid_);
      first = &r;
    } else {
      // A placeholder sorts as its earliest child.
      first = nullptr;
      for (const SortRecord* f : firsts)
        if (f != nullptr && (first == nullptr || earlier(*f, *first))) first = f;
    }
    return node;
  }

  static std::vector<ThreadNode> in_date_order(std::vector<ThreadNode> nodes, const std::vector<const SortRecord*>& keys) {
    std::vector<std::size_t> order(nodes.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (keys[a] == nullptr || keys[b] == nullptr) return keys[a] != nullptr && keys[b] == nullptr;
      return earlier(*keys[a], *keys[b]);
    });
    std::vector<ThreadNode> out;
    out.reserve(nodes.size());
    for (std::size_t i : order) out.push_back(std::move(nodes[i]));
    return out;
  }

  std::span<const SortRecord> records_;
  bool uid_;
  std::vector<Container> containers_;
  std::map<std::string, int> by_id_;
};

void write_thread(std::string& out, const ThreadNode& node) {
  bool first = true;
  auto member = [&](std::uint32_t id) {
    if (!first) out.push_back(' ');
    out += fmt::format("{}", id);
    first = false;
  };
  const ThreadNode* n = &node;
  if (n->id != 0) member(n->id);
  while (n->children.size() == 1) {
    n = &n->children.front();
    if (n->id != 0) member(n->id);
  }
  if (n->children.size() > 1) {
    if (!first) out.push_back(' ');
    for (const auto& child : n->children) {
      out.push_back('(');
      write_thread(out, child);
      out.push_back(')');
    }
  }
}

}  // namespace

std::vector<ThreadNode> thread_by_ordered_subject(std::span<const SortRecord> records, bool uid) {
  std::vector<const SortRecord*> sorted;
  sorted.reserve(records.size());
  for (const auto& r : records) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const SortRecord* a, const SortRecord* b) {
    if (a->subject != b->subject) return a->subject < b->subject;
    return earlier(*a, *b);
  });
  // Each subject's first message is the parent of the rest; threads by their first's date.
  std::vector<std::pair<const SortRecord*, ThreadNode>> threads;
  for (std::size_t i = 0; i < sorted.size();) {
    ThreadNode parent;
    parent.id = id_of(*sorted[i], uid);
    std::size_t j = i + 1;
    for (; j < sorted.size() && sorted[j]->subject == sorted[i]->subject; ++j)
      parent.children.push_back(ThreadNode{id_of(*sorted[j], uid), {}});
    threads.emplace_back(sorted[i], std::move(parent));
    i = j;
  }
  std::stable_sort(threads.begin(), threads.end(), [](const auto& a, const auto& b) { return earlier(*a.first, *b.first); });
  std::vector<ThreadNode> out;
  out.reserve(threads.size());
  for (auto& t : threads) out.push_back(std::move(t.second));
  return out;
}

std::vector<ThreadNode> thread_by_references(std::span<const SortRecord> records, bool uid) {
  return ReferenceThreader(records, uid).run();
}

std::string format_threads(std::span<const ThreadNode> threads) {
  std::string out;
  for (const auto& t : threads) {
    out.push_back('(');
    write_thread(out, t);
    out.push_back(')');
  }
  return out;
}

}  // namespace dirmail::imap
