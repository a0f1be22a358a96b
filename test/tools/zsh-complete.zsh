# What zsh's completion offers for command lines, one match a line, each
# line's matches followed by a line "--end--":
#   zsh -f test/tools/zsh-complete.zsh FPATH-DIR 'vmt info ' 'vmt gettime -f ' ...
# Runs one interactive zsh -f in a pseudo-terminal (zpty) with FPATH-DIR first
# in $fpath and compinit, types each line and a TAB, and prints every match
# handed to compadd. The TAB runs a widget that prints a marker when the
# completion is over, so the reading waits for it instead of for a time.
zmodload zsh/zpty || exit 3
dir=$1; shift
zpty vmtz zsh -f -i
zpty -w vmtz "PS1='' RPROMPT=''; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
# compadd, as completion functions call it: print what it adds (not the -O/-A/-D look-ups)
zpty -w vmtz 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; local h; for h in $hits; do print -r -- "MATCH:$h"; done; builtin compadd "$@"; }'
zpty -w vmtz '_vmt_test_complete() { _main_complete; print -r -- "END""-OF-COMPLETION"; }; zle -C vmt-test-complete complete-word _vmt_test_complete; bindkey -e; bindkey "^I" vmt-test-complete'
zpty -w vmtz "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no; print READY''-FOR-INPUT"
zpty -r vmtz _ '*READY-FOR-INPUT*' || exit 4
for line; do
  zpty -w -n vmtz "$line"$'\t'
  zpty -r vmtz out '*END-OF-COMPLETION*' || exit 4
  print -r -- $out | grep -a -o 'MATCH:[^[:cntrl:]]*' | sed 's/^MATCH://' | sort -u
  print -r -- --end--
  zpty -w -n vmtz $'\C-u'   # kill-whole-line: the next line starts afresh
done
zpty -d vmtz
