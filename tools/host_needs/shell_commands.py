"""The commands a shell script or a Makefile recipe runs, read from its text (nothing is executed).

A deliberately small reading of shell: the first word of every simple command, after assignments and the
wrappers that run their argument (``exec``, ``sudo``, ``timeout``, ``xargs``...). Words that are variables,
functions the file defines, builtins or keywords are not commands on the machine's PATH and are left out; what
``chroot`` runs belongs to the guest, not this machine, and is left out too.
"""

from __future__ import annotations

import re
import shlex

BUILTINS = frozenset(
    """. : [ [[ ]] alias bg bind break builtin caller cd command compgen complete compopt continue declare dirs
    disown echo enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout
    mapfile popd printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap
    true type typeset ulimit umask unalias unset wait if then else elif fi case esac for select while until do
    done in function time coproc { } ! ((""".split()  # noqa: SIM905 - a word list reads better as words
)
# Wrappers whose first non-option word is the command they run.
WRAPPERS = frozenset({"exec", "sudo", "nohup", "nice", "setsid", "xargs", "env", "time", "stdbuf", "ionice"})
# Wrappers that take one argument before the command (timeout DURATION cmd, flock FILE cmd).
WRAPPERS_WITH_ARG = frozenset({"timeout", "flock"})
# Commands whose remaining words run elsewhere (in a chroot, a container or a guest).
ELSEWHERE = frozenset({"chroot"})
COMMAND_STARTERS = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "{", "time"})
HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
FUNCTION = re.compile(r"^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_:-]*)\s*\(\)\s*\{?")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


def _without_heredocs(text: str) -> list[tuple[int, str]]:
    """Numbered logical lines (continuations joined), with here-document bodies taken out."""
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index]
        while line.endswith("\\") and index + 1 < len(lines):
            index += 1
            line = line[:-1] + " " + lines[index]
        index += 1
        out.append((number, line))
        for match in HEREDOC.finditer(line):
            terminator = match.group(2)
            while index < len(lines) and lines[index].strip() != terminator:
                index += 1
            index += 1
    return out


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = False
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote on a line whose string goes on: read what is before it
        return []


def _is_operator(token: str) -> bool:
    return bool(token) and all(ch in "();<>|&" for ch in token)


def _starts_command(token: str) -> bool:
    return any(ch in token for ch in ";|&(") and _is_operator(token)


def _split_substitutions(line: str) -> tuple[str, list[str]]:
    """The line with each ``$(...)`` and backquoted part replaced by a variable-like word, and the text of
    those parts (to be read as commands of their own). Single-quoted text is literal; ``$((...))`` is
    arithmetic, not a command."""
    out: list[str] = []
    inner: list[str] = []
    index, quote = 0, ""
    while index < len(line):
        ch = line[index]
        if quote == "'":
            quote = "" if ch == "'" else quote
        elif ch == "'" and quote != '"':
            quote = "'"
        elif ch == '"':
            quote = "" if quote == '"' else '"'
        elif ch == "#" and not quote and (index == 0 or line[index - 1] in " \t;&|("):
            break  # a comment: its backquotes are prose
        elif line.startswith("$((", index):
            end = line.find("))", index)
            index = len(line) if end < 0 else end + 2
            out.append("$ARITH")
            continue
        elif line.startswith("$(", index) or ch == "`":
            start = index + (2 if ch == "$" else 1)
            depth, index = 1, start
            while index < len(line) and depth:
                if ch == "`":
                    depth = 0 if line[index] == "`" else 1
                else:
                    depth += {"(": 1, ")": -1}.get(line[index], 0)
                index += 1
            inner.append(line[start : index - 1])
            out.append("$SUBST")
            continue
        out.append(ch)
        index += 1
    return "".join(out), inner


# A multi-line array assignment NAME=( ... ): its words are data, not commands.
ARRAY = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\+?=\((?:[^()'\"]|'[^']*'|\"[^\"]*\")*\)")


def commands_in(text: str) -> list[tuple[int, str]]:
    """(line number, command) for every command the text runs, in order of appearance."""
    functions = {m.group(1) for line in text.splitlines() if (m := FUNCTION.match(line))}
    text = ARRAY.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found: list[tuple[int, str]] = []
    for number, line in _without_heredocs(text):
        _read_line(number, line, functions, found)
    return found


def _read_line(number: int, line: str, functions: set[str], found: list[tuple[int, str]]) -> None:
    line, inner_parts = _split_substitutions(line)
    for inner in inner_parts:
        _read_line(number, inner, functions, found)
    tokens = _tokens(line)
    at_command = True
    skip_until: str | None = None
    pending_args = 0
    for position, token in enumerate(tokens):
        if skip_until is not None:
            if token == skip_until or (skip_until == "]]" and token.endswith("]]")):
                at_command = skip_until == "do"  # for/select ... do COMMAND
                skip_until = None
            continue
        if _is_operator(token):
            if token in (">", ">>", "<", "<<<", "2>", "&>"):
                continue
            at_command = _starts_command(token)
            continue
        if not at_command:
            continue
        if token in COMMAND_STARTERS:
            continue
        if token == "for" or token == "case" or token == "select":
            skip_until = "do" if token != "case" else "in"
            continue
        if token == "[[":
            skip_until = "]]"
            continue
        if token == "[":
            skip_until = "]"
            continue
        if token == "((":
            skip_until = "))"
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", token):  # an assignment before the command
            continue
        if pending_args:
            pending_args -= 1
            continue
        if token.startswith("-"):  # a wrapper's option
            continue
        if token in WRAPPERS:
            continue
        if token in WRAPPERS_WITH_ARG:
            pending_args = 1
            found.append((number, token))
            continue
        if token == "command":
            # `command -v x` asks whether x exists; `command x` runs it
            if position + 1 < len(tokens) and tokens[position + 1].startswith("-"):
                at_command = False
            continue
        at_command = False
        if token in BUILTINS or token in functions or "$" in token or token.isdigit():
            continue
        if token.startswith("/"):
            found.append((number, token))
        elif token.startswith(".") or "/" in token:
            continue  # a script of this repository, run by path
        elif NAME.match(token):
            found.append((number, token))
        if token in ELSEWHERE:
            break


def makefile_commands(text: str, variables: dict[str, str]) -> list[tuple[int, str]]:
    """Commands of a Makefile's recipe lines, with ``$(NAME)`` replaced from ``variables`` (others left as
    variables, which are not commands). A recipe line continued with a backslash is read as one line."""

    def expand(match: re.Match) -> str:
        return variables.get(match.group(1), "$" + match.group(1))

    found: list[tuple[int, str]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        index += 1
        if not line.startswith("\t"):
            continue
        body = line[1:].lstrip("@-+ ")
        while body.endswith("\\") and index < len(lines):
            body = body[:-1] + " " + lines[index].lstrip("\t")
            index += 1
        body = re.sub(r"\$\(([A-Za-z_]+)\)", expand, body).replace("$$", "$")
        found.extend((number, command) for _line, command in commands_in(body))
    return found
