# bash completion for vmt. Generated from vmt's command metadata by scripts/contracts.mjs; do not edit.
# Load it with: source vmt.bash (or put it in /usr/share/bash-completion/completions/vmt).

_vmt() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} id= words=() i w
  COMPREPLY=()
  # the words before this one; the command is the first one or two of them
  for ((i = 1; i < COMP_CWORD; i++)); do words+=("${COMP_WORDS[i]}"); done
  if ((${#words[@]} == 0)); then
    COMPREPLY=($(compgen -W 'attach checkvm detach devices drvctl gettime info report rpc sim stat tclo vsock --help --version' -- "$cur"))
    return
  fi
  case "${words[0]} ${words[1]-}" in
    'info get') id=info:get ;;
    'info set') id=info:set ;;
    'info wait') id=info:wait ;;
    'rpc send') id=rpc:send ;;
    'sim serve') id=sim:serve ;;
    'stat balloon') id=stat:balloon ;;
    'stat cpulimit') id=stat:cpulimit ;;
    'stat cpures') id=stat:cpures ;;
    'stat hosttime') id=stat:hosttime ;;
    'stat memlimit') id=stat:memlimit ;;
    'stat memres') id=stat:memres ;;
    'stat raw') id=stat:raw ;;
    'stat sessionid') id=stat:sessionid ;;
    'stat speed') id=stat:speed ;;
    'stat swap') id=stat:swap ;;
    'tclo listen') id=tclo:listen ;;
    'vsock cat') id=vsock:cat ;;
    'vsock cid') id=vsock:cid ;;
    *) id=${words[0]} ;;
  esac
  case $id in
    info)
      if ((${#words[@]} == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W 'get set wait' -- "$cur")); return; fi
      return ;;
    rpc)
      if ((${#words[@]} == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W 'send' -- "$cur")); return; fi
      ;;
    sim)
      if ((${#words[@]} == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W 'serve' -- "$cur")); return; fi
      ;;
    stat)
      if ((${#words[@]} == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W 'balloon cpulimit cpures hosttime memlimit memres raw sessionid speed swap' -- "$cur")); return; fi
      return ;;
    tclo)
      if ((${#words[@]} == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W 'listen' -- "$cur")); return; fi
      return ;;
    vsock)
      if ((${#words[@]} == 1)) && [[ $cur != -* ]]; then COMPREPLY=($(compgen -W 'cat cid' -- "$cur")); return; fi
      return ;;
  esac
  local flags=
  case $id in
    attach)
      flags='--sysfs-root --proc-root --json --dry-run --rescan'
      case $prev in
        --sysfs-root) :; return ;;  # a value: files (complete -o default)
        --proc-root) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    checkvm)
      flags='--json -q --quiet --probe --knock --no-knock'
      ;;
    detach)
      flags='--sysfs-root --proc-root --json --dry-run --rescan --force'
      case $prev in
        --sysfs-root) :; return ;;  # a value: files (complete -o default)
        --proc-root) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    devices)
      flags='--json --sysfs-root --proc-root'
      case $prev in
        --sysfs-root) :; return ;;  # a value: files (complete -o default)
        --proc-root) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    drvctl)
      flags=''
      ;;
    gettime)
      flags='-f --format --json --set --probe'
      case $prev in
        -f|--format) COMPREPLY=($(compgen -W 'iso epoch local' -- "$cur")); return ;;  # its values
      esac
      ;;
    info:get)
      flags='-e --encoding --default -n --no-newline --json --env --prefix --transport --vsock-endpoint --probe'
      case $prev in
        -e|--encoding) COMPREPLY=($(compgen -W 'none base64 gzip+base64 auto' -- "$cur")); return ;;  # its values
        --default) :; return ;;  # a value: files (complete -o default)
        --prefix) :; return ;;  # a value: files (complete -o default)
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    info:set)
      flags='-f --file --raw --from-json --json --transport --vsock-endpoint --probe'
      case $prev in
        -f|--file) :; return ;;  # a value: files (complete -o default)
        --from-json) :; return ;;  # a value: files (complete -o default)
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    info:wait)
      flags='--equals --changed --timeout --interval -n --no-newline --json --transport --vsock-endpoint --probe'
      case $prev in
        --equals) :; return ;;  # a value: files (complete -o default)
        --timeout) :; return ;;  # a value: files (complete -o default)
        --interval) :; return ;;  # a value: files (complete -o default)
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    report)
      flags='--all --dry-run --json --transport --vsock-endpoint --probe'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    rpc)
      flags='-f --file --raw --json --batch --null --probe --transport --vsock-endpoint'
      case $prev in
        -f|--file) :; return ;;  # a value: files (complete -o default)
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    rpc:send)
      flags='-f --file --raw --json --batch --null --probe --transport --vsock-endpoint'
      case $prev in
        -f|--file) :; return ;;  # a value: files (complete -o default)
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    sim)
      for w in "${words[@]}"; do [[ $w == -- ]] && return; done  # the program's own words: files (complete -o default)
      flags='--guestinfo --guestinfo-file --stat --stat-file --state --tclo --tclo-interval --product --hb --no-hb --fault --clock-offset --timeout --allow-set-clock --transcript --host-view --'
      case $prev in
        --guestinfo) :; return ;;  # a value: files (complete -o default)
        --guestinfo-file) :; return ;;  # a value: files (complete -o default)
        --stat) :; return ;;  # a value: files (complete -o default)
        --stat-file) :; return ;;  # a value: files (complete -o default)
        --state) :; return ;;  # a value: files (complete -o default)
        --tclo) :; return ;;  # a value: files (complete -o default)
        --tclo-interval) :; return ;;  # a value: files (complete -o default)
        --product) :; return ;;  # a value: files (complete -o default)
        --fault) :; return ;;  # a value: files (complete -o default)
        --clock-offset) :; return ;;  # a value: files (complete -o default)
        --timeout) :; return ;;  # a value: files (complete -o default)
        --transcript) :; return ;;  # a value: files (complete -o default)
        --host-view) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    sim:serve)
      flags='--vsock-rpci --vsock-tclo --privileged-only --guestinfo --guestinfo-file --state --tclo --fault --transcript --timeout'
      case $prev in
        --vsock-rpci) :; return ;;  # a value: files (complete -o default)
        --vsock-tclo) :; return ;;  # a value: files (complete -o default)
        --guestinfo) :; return ;;  # a value: files (complete -o default)
        --guestinfo-file) :; return ;;  # a value: files (complete -o default)
        --state) :; return ;;  # a value: files (complete -o default)
        --tclo) :; return ;;  # a value: files (complete -o default)
        --fault) :; return ;;  # a value: files (complete -o default)
        --transcript) :; return ;;  # a value: files (complete -o default)
        --timeout) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:balloon)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:cpulimit)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:cpures)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:hosttime)
      flags='--json --probe'
      ;;
    stat:memlimit)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:memres)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:raw)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:sessionid)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    stat:speed)
      flags='--json --probe'
      ;;
    stat:swap)
      flags='--json --probe --transport --vsock-endpoint'
      case $prev in
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    tclo:listen)
      flags='--app --json --exit-after --timeout --on-halt --on-reboot --on-poweron --on-suspend --on-resume --power-ops --hook-timeout --clock-sync --report --report-interval --report-hostname --report-ip --force --probe --transport --vsock-endpoint'
      case $prev in
        --app) :; return ;;  # a value: files (complete -o default)
        --exit-after) :; return ;;  # a value: files (complete -o default)
        --timeout) :; return ;;  # a value: files (complete -o default)
        --on-halt) :; return ;;  # a value: files (complete -o default)
        --on-reboot) :; return ;;  # a value: files (complete -o default)
        --on-poweron) :; return ;;  # a value: files (complete -o default)
        --on-suspend) :; return ;;  # a value: files (complete -o default)
        --on-resume) :; return ;;  # a value: files (complete -o default)
        --power-ops) COMPREPLY=($(compgen -W 'none system' -- "$cur")); return ;;  # its values
        --hook-timeout) :; return ;;  # a value: files (complete -o default)
        --clock-sync) :; return ;;  # a value: files (complete -o default)
        --report-interval) :; return ;;  # a value: files (complete -o default)
        --transport) COMPREPLY=($(compgen -W 'auto backdoor vsock' -- "$cur")); return ;;  # its values
        --vsock-endpoint) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    vsock:cat)
      flags='-l --listen -k --keep --connect-timeout --idle-timeout --exec --shell --stats --privileged'
      case $prev in
        --connect-timeout) :; return ;;  # a value: files (complete -o default)
        --idle-timeout) :; return ;;  # a value: files (complete -o default)
        --exec) :; return ;;  # a value: files (complete -o default)
      esac
      ;;
    vsock:cid)
      flags='--json'
      ;;
    *) return ;;
  esac
  [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -o default -F _vmt vmt
