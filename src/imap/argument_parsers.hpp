#pragma once
// The larger pieces of command grammar, each in its own file.
#include <string>
#include <vector>

#include "arg_cursor.hpp"
#include "dirmail/imap/fetch_item.hpp"
#include "dirmail/imap/search_key.hpp"

namespace dirmail::imap {

// FETCH's argument after the sequence set: a macro, one item, or a list of items.
Result<std::vector<FetchItem>> parse_fetch_items(ArgCursor& in);

// SEARCH's arguments after "SEARCH": [CHARSET x] keys... (the cursor is at the SP).
Result<SearchKey> parse_search_criteria(ArgCursor& in, std::string& charset);

}  // namespace dirmail::imap
