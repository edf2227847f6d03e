#pragma once
// The larger pieces of command grammar, each in its own file.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arg_cursor.hpp"
#include "dirmail/imap/command.hpp"
#include "dirmail/imap/fetch_item.hpp"
#include "dirmail/imap/search_key.hpp"

namespace dirmail::imap {

// FETCH's argument after the sequence set: a macro, one item, or a list of items.
Result<std::vector<FetchItem>> parse_fetch_items(ArgCursor& in);

// SEARCH's arguments after "SEARCH": [CHARSET x] keys... (the cursor is at the SP).
Result<SearchKey> parse_search_criteria(ArgCursor& in, std::string& charset);
// esearch_response.cpp: an optional "RETURN (options)" before SEARCH's criteria.
Status parse_search_return(ArgCursor& in, std::optional<SearchReturn>& out);
// sort_arguments.cpp: SORT's "(criteria) charset keys...", THREAD's "algorithm charset keys...".
Status parse_sort_arguments(ArgCursor& in, ImapCommand& cmd);
Status parse_thread_arguments(ArgCursor& in, ImapCommand& cmd);

// mailbox_arguments.cpp. Each starts at the SP after the command name.
// System flags (store::Flag bits) and keywords: "(\Seen $Work)", or without
// parentheses as STORE also allows ("\Seen \Flagged"). Flag-extensions ("\Other") are
// dropped: they cannot be stored.
Status parse_flags(ArgCursor& in, bool parenthesised, std::uint8_t& flags, std::vector<std::string>& keywords);
// select_parameters.cpp: SELECT/EXAMINE's optional "(CONDSTORE)", "(QRESYNC (...))".
Status parse_select_parameters(ArgCursor& in, SelectParameters& out);
// FETCH's optional modifiers after the items: " (CHANGEDSINCE n [VANISHED])".
Status parse_fetch_modifiers(ArgCursor& in, FetchModifiers& out);
// STORE's optional " (UNCHANGEDSINCE n)" before the action.
Status parse_store_modifiers(ArgCursor& in, std::optional<std::uint64_t>& unchanged_since);
Status parse_list_arguments(ArgCursor& in, ImapCommand& cmd);
// `base`: where the cursor's text starts in the whole command, for the message offset.
Status parse_append_arguments(ArgCursor& in, ImapCommand& cmd, std::size_t base);

}  // namespace dirmail::imap
