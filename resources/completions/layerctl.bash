# bash completion for layerctl (installed to /usr/share/bash-completion/completions/layerctl)
_layerctl()
{
    local cur prev words cword
    _init_completion || return
    local commands="summary keys tree dissect diff stats ls find page key locate map blob dump rewrite demo synth ingest check salvage rewrite-summary"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version --cache-size" -- "$cur"))
        return
    fi
    local opts
    case ${words[1]} in
        summary) opts="--json --count --redact" ;;
        keys) opts="--from --limit --json --redact" ;;
        tree) opts="--neon --json --redact" ;;
        dissect) opts="--summary --node --entry --offset --problems --json --redact" ;;
        diff) opts="--limit --json --csv --redact" ;;
        stats) opts="--json --csv --redact" ;;
        ls) opts="--json --index --redact" ;;
        find) opts="--json --index --page --pg-version --stripe-size --redact" ;;
        page) opts="--json --index --history --out --pg-version --redact" ;;
        key) opts="--json --shard-count --stripe-size" ;;
        locate) opts="--json --stripe-size --pg-version --redact" ;;
        map) opts="--svg --index --stripe-size --redact" ;;
        blob) opts="--json --redact" ;;
        dump) opts="--json --format --redact" ;;
        rewrite) opts="--compression --quiet" ;;
        demo) opts="" ;;
        synth) opts="--kind --size --entries --value-size --compression" ;;
        ingest) opts="--compression --pg-version" ;;
        check) opts="--json --index --pages --redo --pg-version --evidence --max-problems --threads --color --quiet --recursive --shard --jobs --resume --list --list-checks --stripe-size --redact" ;;
        salvage) opts="--quiet" ;;
        rewrite-summary) opts="--tenant-id --new-tenant-id --timeline-id --new-timeline-id --key-start --key-end --lsn --lsn-start --lsn-end --in-place --no-backup --keep-backups --dry-run --force --quiet" ;;
    esac
    case $prev in
        --format) COMPREPLY=($(compgen -W "text json pagectl" -- "$cur")); return ;;
        --compression) COMPREPLY=($(compgen -W "none zstd" -- "$cur")); return ;;
        --kind) COMPREPLY=($(compgen -W "image delta" -- "$cur")); return ;;
        --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --evidence) _filedir -d; return ;;
        --index) _filedir json; return ;;
        --from|--limit|--size|--entries|--value-size|--max-problems|--threads|--tenant-id|--new-tenant-id|--timeline-id|--new-timeline-id|--key-start|--key-end|--lsn|--lsn-start|--lsn-end|--keep-backups) return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
    else
        _filedir
    fi
}
complete -F _layerctl layerctl
