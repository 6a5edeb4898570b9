# Text from outside: a client's request (logged by a failed verification) and a revocation reason are stored and shown
# with control characters escaped and their length capped; names and reasons refuse Unicode format characters; a
# presented key longer than any key is Malformed without being read.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force
    Initialize-Sqlite $TestDrive

    # Formatted output keeps every escape sequence, and the formatter adds none of its own (no coloured labels or
    # headers): whatever ESC is in the text came from the values.
    $script:rendering = $PSStyle.OutputRendering
    $script:accent = $PSStyle.Formatting.FormatAccent
    $script:header = $PSStyle.Formatting.TableHeader
    $script:customHeader = $PSStyle.Formatting.CustomTableHeaderLabel
    $PSStyle.OutputRendering = 'Ansi'
    $PSStyle.Formatting.FormatAccent = ''
    $PSStyle.Formatting.TableHeader = ''
    $PSStyle.Formatting.CustomTableHeaderLabel = ''

    # Characters a terminal acts on or a viewer hides: controls (C0, DEL, C1), line and paragraph separators, format
    # characters (bidirectional controls, zero-width characters).
    $script:raw = '[\p{Cc}\p{Cf}\u2028\u2029]'

    # The lines of formatted output, split at the formatter's own line breaks.
    function Split-Lines([string] $Text) {
        $Text -split [regex]::Escape([Environment]::NewLine)
    }

    # The bytes of a store: its file and WAL once every connection is closed (so the WAL is checkpointed into the file),
    # or its tables with their indexes and TOAST on the server.
    function Get-StoreBytes([string] $Path) {
        if (Test-PostgresStore $Path) {
            return Invoke-StoreScalar $Path "SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @schema AND c.relkind = 'r'" @{ schema = Get-StoreSchema $Path }
        }
        [Microsoft.Data.Sqlite.SqliteConnection]::ClearAllPools()
        (@($Path, "$Path-wal") | Where-Object { Test-Path -LiteralPath $_ } | ForEach-Object { (Get-Item -LiteralPath $_).Length } | Measure-Object -Sum).Sum
    }
}

AfterAll {
    $PSStyle.OutputRendering = $rendering
    $PSStyle.Formatting.FormatAccent = $accent
    $PSStyle.Formatting.TableHeader = $header
    $PSStyle.Formatting.CustomTableHeaderLabel = $customHeader
}

Describe 'Text from outside' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $key = New-ApiKey -StorePath $store -Name 'svc' -Allowlist @{ method = 'GET'; resource = '/pool' }
    }

    Context 'the request of a failed verification' {
        It 'is stored and shown escaped: <Case>' -ForEach @(
            @{ Case = 'an OSC sequence that retitles the terminal'; Resource = "`e]0;pwned`a"; Shown = "$([char]0x241B)]0;pwned$([char]0x2407)" }
            @{ Case = 'an SGR sequence that colours the text'; Resource = "`e[31m"; Shown = "$([char]0x241B)[31m" }
            @{ Case = 'a line break and a forged line'; Resource = "/pool`r`nAction    : Delete"; Shown = "/pool$([char]0x240D)$([char]0x240A)Action    : Delete" }
            @{ Case = 'a right-to-left override'; Resource = "/invoice$([char]0x202E)fdp.exe"; Shown = '/invoice\u202Efdp.exe' }
        ) {
            Test-ApiKey -StorePath $store -Key $key.Key -Method GET -Resource $Resource | Should -BeFalse
            $entry = Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1
            $entry.Action | Should -BeExactly 'VerificationFailed'
            $entry.Details | Should -BeExactly "Forbidden: GET $Shown"
            Invoke-StoreScalar $store 'SELECT details FROM audit_log ORDER BY id DESC LIMIT 1' | Should -BeExactly "Forbidden: GET $Shown"
        }

        It 'leaves no control character in Format-List and Format-Table output, and forges no line' {
            foreach ($resource in "`e]0;pwned`a", "`e[31m", "/pool`nAction    : Delete", "/pool`rAction    : Delete", ('A' * 1MB)) {
                $null = Test-ApiKey -StorePath $store -Key $key.Key -Method GET -Resource $resource
            }
            $entries = @(Get-ApiKeyAuditLog -StorePath $store)
            $entries.Count | Should -Be 6
            foreach ($entry in $entries) {
                foreach ($value in $entry.KeyName, $entry.OldValue, $entry.NewValue, $entry.Details) {
                    $value | Should -Not -Match $raw
                }
            }

            $list = Split-Lines ($entries | Format-List | Out-String -Width 100000)
            $list | Where-Object { $_ -match $raw } | Should -BeNullOrEmpty
            $list | Where-Object { $_ -match '^Action\s*:' } | ForEach-Object { $_ -replace '\s+', ' ' } |
                Should -Be (@('VerificationFailed') * 5 + 'Create' | ForEach-Object { "Action : $_" })
            # Every line is empty or one property: a label, then its value.
            $list | Where-Object { $_ -and $_ -notmatch '^[A-Za-z]+\s*: ' -and $_ -notmatch '^[A-Za-z]+\s*:$' } | Should -BeNullOrEmpty

            $table = @(Split-Lines ($entries | Format-Table | Out-String -Width 1000) | Where-Object { $_.Trim() })
            # The formatter ends each header cell with a reset sequence of its own; nothing else may hold a control.
            $table | Select-Object -First 2 | ForEach-Object { $_.Replace($PSStyle.Reset, '') } | Where-Object { $_ -match $raw } | Should -BeNullOrEmpty
            $table | Select-Object -Skip 2 | Where-Object { $_ -match $raw } | Should -BeNullOrEmpty
            # A header, its underline, then one line per row, each starting with its time.
            $table.Count | Should -Be (2 + $entries.Count)
            $table | Select-Object -Skip 2 | Where-Object { $_ -notmatch '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ' } | Should -BeNullOrEmpty
        }

        It 'is cut to 256 characters, saying how many were left out' {
            Test-ApiKey -StorePath $store -Key 'x' -Method GET -Resource ('A' * 1MB) | Should -BeFalse
            $details = (Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1).Details
            $details | Should -BeExactly ('Malformed: GET ' + ('A' * 252) + '...[1048324 more characters not logged]')
        }

        It 'grows the store by far less than 20 MiB for 20 requests of 1 MiB' {
            $resource = 'A' * 1MB
            $before = Get-StoreBytes $store
            1..20 | ForEach-Object { Test-ApiKey -StorePath $store -Key "$($key.Id)-$('x' * 64)" -Method GET -Resource $resource } | Should -Be (@($false) * 20)
            @(Get-ApiKeyAuditLog -StorePath $store | Where-Object Action -EQ 'VerificationFailed').Count | Should -Be 20
            (Get-StoreBytes $store) - $before | Should -BeLessThan 256KB
        }
    }

    Context 'a revocation reason' {
        It 'is stored and shown escaped, on the key and in the audit log' {
            Revoke-ApiKey -StorePath $store -Id $key.Id -Reason "lost`e[8mhidden`e[0m"
            $shown = "lost$([char]0x241B)[8mhidden$([char]0x241B)[0m"
            (Get-ApiKey -StorePath $store -Id $key.Id).RevokedReason | Should -BeExactly $shown
            (Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1).Details | Should -BeExactly $shown
            Invoke-StoreScalar $store 'SELECT revoked_reason FROM api_keys' | Should -BeExactly $shown

            $list = Split-Lines (Get-ApiKey -StorePath $store -Id $key.Id | Format-List | Out-String -Width 1000)
            $list | Where-Object { $_ -match $raw } | Should -BeNullOrEmpty
            ($list | Where-Object { $_ -match '^RevokedReason\s*: ' }) -replace '^RevokedReason\s*: ' | Should -BeExactly $shown
            Split-Lines (Get-ApiKeyAuditLog -StorePath $store | Format-List | Out-String -Width 1000) | Where-Object { $_ -match $raw } | Should -BeNullOrEmpty
        }

        It 'of 500 characters is kept whole' {
            Revoke-ApiKey -StorePath $store -Id $key.Id -Reason ('r' * 500)
            (Get-ApiKey -StorePath $store -Id $key.Id).RevokedReason | Should -BeExactly ('r' * 500)
        }

        It 'gives InvalidReason (InvalidArgument), stops and changes nothing: <Case>' -ForEach @(
            @{ Case = '501 characters'; Reason = 'r' * 501; Says = '501 characters; the limit is 500' }
            @{ Case = 'a right-to-left override'; Reason = "see$([char]0x202E)txt.exe"; Says = 'U+202E' }
            @{ Case = 'a zero-width space'; Reason = "lost$([char]0x200B)"; Says = 'U+200B' }
        ) {
            $other = New-ApiKey -StorePath $store -Name 'other' -Allowlist @{ method = 'GET'; resource = '/pool' }
            $before = Get-StoreContentHash $store
            $records = Get-ErrorRecord { Get-ApiKey -StorePath $store | Revoke-ApiKey -Reason $Reason }
            @($records).Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'InvalidReason,*'
            "$($records[0].CategoryInfo.Category)" | Should -Be 'InvalidArgument'
            $records[0].Exception.Message | Should -BeLike "*$Says*"
            $records[0].Exception.Message | Should -Not -Match $raw
            Get-StoreContentHash $store | Should -Be $before
            Test-ApiKey -StorePath $store -Key $other.Key | Should -BeTrue
        }
    }

    Context 'names' {
        It 'refuse <Case> with InvalidName, naming it: New-ApiKey and Set-ApiKey' -ForEach @(
            @{ Case = 'a right-to-left override (U+202E)'; Name = "invoice$([char]0x202E)fdp.exe"; Says = 'U+202E' }
            @{ Case = 'a zero-width space (U+200B)'; Name = "svc$([char]0x200B)"; Says = 'U+200B' }
        ) {
            $before = Get-StoreContentHash $store
            $records = Get-ErrorRecord { New-ApiKey -StorePath $store -Name $Name -Allowlist @{ method = 'GET'; resource = '/x' } }
            $records += Get-ErrorRecord { Set-ApiKey -StorePath $store -Id $key.Id -Name $Name }
            @($records).Count | Should -Be 2
            foreach ($record in $records) {
                $record.FullyQualifiedErrorId | Should -BeLike 'InvalidName,*'
                "$($record.CategoryInfo.Category)" | Should -Be 'InvalidArgument'
                $record.Exception.Message | Should -BeLike "*format character $Says*"
                $record.Exception.Message | Should -Not -Match $raw
            }
            Get-StoreContentHash $store | Should -Be $before
        }
    }

    Context 'a presented key' {
        It 'of 10 MB (zeros before a genuine key) is Malformed' {
            $detailed = Test-ApiKey -StorePath $store -Key (('0' * 10MB) + $key.Key) -Detailed
            "$($detailed.Code)" | Should -Be 'Malformed'
            $detailed.Id | Should -BeNullOrEmpty
            (Get-ApiKeyAuditLog -StorePath $store | Select-Object -First 1).Details | Should -BeExactly 'Malformed'
            (Get-ApiKey -StorePath $store -Id $key.Id).LastUsedAt | Should -BeNullOrEmpty
        }

        It 'with more than 256 characters of white space around it is Malformed; with less it is valid' {
            $padding = ' ' * (256 - $key.Key.Length)
            Test-ApiKey -StorePath $store -Key "$padding$($key.Key)" | Should -BeTrue
            Test-ApiKey -StorePath $store -Key "`t$($key.Key)`r`n" | Should -BeTrue
            "$((Test-ApiKey -StorePath $store -Key " $padding$($key.Key)" -Detailed).Code)" | Should -Be 'Malformed'
            "$((Test-ApiKey -StorePath $store -Key ((' ' * 10MB) + $key.Key) -Detailed).Code)" | Should -Be 'Malformed'
        }
    }
}
