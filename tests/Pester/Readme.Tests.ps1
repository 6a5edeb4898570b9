# The README's examples work as printed: its PowerShell blocks are read from README.md and run as they stand.
BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    $readmePath = Join-Path $PSScriptRoot '../../README.md'

    # The ```powershell blocks of one "## " section of the README, in order. Throws when the heading is missing
    # or the section holds no such block, so that a renamed section fails the test instead of running nothing.
    function Get-ReadmeCodeBlock([string] $Heading) {
        if (-not (Test-Path -LiteralPath $readmePath)) {
            throw "README.md was not found at '$readmePath'."
        }
        $lines = @(Get-Content -LiteralPath $readmePath -Encoding utf8)
        $start = -1
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i].TrimEnd() -ceq $Heading) { $start = $i; break }
        }
        if ($start -lt 0) {
            throw "README.md has no heading '$Heading'; the test must be told where its examples went."
        }
        $blocks = [System.Collections.Generic.List[string]]::new()
        $current = $null
        for ($i = $start + 1; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($null -eq $current) {
                if ($line -match '^#{1,2} ') { break }
                if ($line -match '^```\s*(powershell|pwsh|ps1)\s*$') { $current = [System.Collections.Generic.List[string]]::new() }
            }
            elseif ($line -match '^```\s*$') {
                $blocks.Add($current -join "`n")
                $current = $null
            }
            else {
                $current.Add($line)
            }
        }
        if ($null -ne $current) {
            throw "A code block under '$Heading' in README.md is not closed."
        }
        if ($blocks.Count -eq 0) {
            throw "The section '$Heading' of README.md holds no ``````powershell block."
        }
        , $blocks.ToArray()
    }

    # Runs the blocks in order, as printed, with $env:APIKEYMODULE_STORE pointing at $StorePath (restored after).
    # Returns everything they wrote, every stream merged; a terminating error becomes an item too.
    function Invoke-ReadmeCodeBlock([string[]] $Block, [string] $StorePath) {
        $hadStore = Test-Path Env:APIKEYMODULE_STORE
        $saved = $env:APIKEYMODULE_STORE
        $env:APIKEYMODULE_STORE = $StorePath
        try {
            $ErrorActionPreference = 'Continue'
            foreach ($text in $Block) {
                $script = [scriptblock]::Create($text)
                try { & $script *>&1 } catch { $_ }
            }
        }
        finally {
            if ($hadStore) { $env:APIKEYMODULE_STORE = $saved } else { Remove-Item Env:APIKEYMODULE_STORE -ErrorAction Ignore }
        }
    }

    # The error records among a run's items, as text for a failure message.
    function Format-ErrorItem($Items) {
        @($Items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) -join '; '
    }
}

Describe 'README' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
        $envBefore = if (Test-Path Env:APIKEYMODULE_STORE) { "set to '$env:APIKEYMODULE_STORE'" } else { 'not set' }
    }

    AfterEach {
        # Whatever happened, the session's store variable is as it was.
        $(if (Test-Path Env:APIKEYMODULE_STORE) { "set to '$env:APIKEYMODULE_STORE'" } else { 'not set' }) | Should -BeExactly $envBefore
    }

    Context '## TrueNAS CLI -> PowerShell' {
        BeforeEach {
            $heading = "## TrueNAS CLI $([char]0x2192) PowerShell"
        }

        It 'has its examples in ```powershell blocks under its heading' {
            $blocks = Get-ReadmeCodeBlock $heading
            $blocks.Count | Should -BeGreaterThan 0
            ($blocks -join "`n") | Should -Match 'New-ApiKey'
            ($blocks -join "`n") | Should -Match 'Remove-ApiKey'
        }

        It 'runs as printed on an empty store, without errors' {
            $items = @(Invoke-ReadmeCodeBlock (Get-ReadmeCodeBlock $heading) $store)
            $errors = @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors.Count | Should -Be 0 -Because "the README's examples must work as printed (errors: $(Format-ErrorItem $items))"
            Test-StoreExists $store | Should -BeTrue -Because 'the examples use the store named by $env:APIKEYMODULE_STORE'
        }

        It 'leaves the store as TrueNAS would: apikey1 deleted, key 2 named apikey3 with SUBSCRIBE certificate.query' {
            $items = @(Invoke-ReadmeCodeBlock (Get-ReadmeCodeBlock $heading) $store)
            Format-ErrorItem $items | Should -BeNullOrEmpty
            $keys = @(Get-ApiKey -StorePath $store)
            $keys.Count | Should -Be 1
            $keys[0].Id | Should -Be 2
            $keys[0].Name | Should -BeExactly 'apikey3'
            Format-Allowlist $keys[0] | Should -BeExactly 'SUBSCRIBE certificate.query'
            $err = $null
            Get-ApiKey -StorePath $store -Id 1 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        }

        It 'creates keys 1 and 2, resets key 2 and deletes key 1 (the audit log and the written keys say so)' {
            $items = @(Invoke-ReadmeCodeBlock (Get-ReadmeCodeBlock $heading) $store)
            $issued = @($items | Where-Object { $_ -is [ApiKeyModule.IssuedApiKey] })
            ($issued | ForEach-Object { "$($_.Id):$($_.Name)" }) -join ',' | Should -BeExactly '1:apikey1,2:apikey2,2:apikey3'
            $issued | ForEach-Object { $_.Key | Should -MatchExactly "^$($_.Id)-[A-Za-z0-9]{64}$" }
            # The key written by the reset is the one that works; the one from create no longer does.
            (Test-ApiKey -StorePath $store -Key $issued[2].Key -Method SUBSCRIBE -Resource 'certificate.query' -Detailed).Code | Should -Be 'Valid'
            (Test-ApiKey -StorePath $store -Key $issued[1].Key -Detailed).Code | Should -Be 'NotFound'
            $log = @(Get-ApiKeyAuditLog -StorePath $store)
            @($log | Where-Object { $_.KeyId -eq 1 }).Action -join ',' | Should -BeExactly 'Delete,Create'
            @($log | Where-Object { $_.KeyId -eq 2 }).Action | Should -Contain 'Reset'
            @($log | Where-Object { $_.KeyId -eq 2 }).Action | Should -Contain 'Rename'
        }

        It 'writes the key list and key 2 (the query and get_instance examples)' {
            $items = @(Invoke-ReadmeCodeBlock (Get-ReadmeCodeBlock $heading) $store)
            $listed = @($items | Where-Object { $_ -is [ApiKeyModule.ApiKey] -and $_ -isnot [ApiKeyModule.IssuedApiKey] })
            ($listed.Name) -join ',' | Should -BeExactly 'apikey1,apikey2'
            $text = ($items | Out-String -Width 200)
            $text | Should -Match 'Name\s*:\s*apikey2'
        }
    }

    Context '## Allowlists' {
        It 'has its examples in ```powershell blocks under its heading' {
            $blocks = Get-ReadmeCodeBlock '## Allowlists'
            ($blocks -join "`n") | Should -Match "'form4'"
        }

        It 'runs as printed on an empty store, without errors, and gives form1..form4 the same allowlist' {
            $items = @(Invoke-ReadmeCodeBlock (Get-ReadmeCodeBlock '## Allowlists') $store)
            $errors = @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors.Count | Should -Be 0 -Because "the README's examples must work as printed (errors: $(Format-ErrorItem $items))"
            $keys = @(Get-ApiKey -StorePath $store)
            ($keys.Name) -join ',' | Should -BeExactly 'form1,form2,form3,form4'
            $allowlists = @($keys | ForEach-Object { Format-Allowlist $_ })
            $allowlists | ForEach-Object { $_ | Should -BeExactly 'CALL system.info; GET /pool' }
        }
    }

    Context '## Runspaces and thread jobs' {
        It 'runs as printed: 8 runspaces make keys on the default store, and one verifier shared by 8 runspaces accepts them all' {
            # As installed: the cmdlets autoload in each runspace from PSModulePath.
            $savedPath = $env:PSModulePath
            $env:PSModulePath = (Split-Path -Parent (Split-Path -Parent $env:APIKEYMODULE_TEST_MODULE)) + [IO.Path]::PathSeparator + $savedPath
            try {
                $items = @(Invoke-ReadmeCodeBlock (Get-ReadmeCodeBlock '## Runspaces and thread jobs') $store)
            }
            finally {
                $env:PSModulePath = $savedPath
            }
            Format-ErrorItem $items | Should -BeNullOrEmpty
            $answers = @($items | Where-Object { $_ -is [bool] })
            $answers.Count | Should -Be 8
            $answers | ForEach-Object { $_ | Should -BeTrue }
            (@(Get-ApiKey -StorePath $store).Name | Sort-Object) -join ',' | Should -BeExactly ((1..8 | ForEach-Object { "worker-$_" }) -join ',')
        }
    }

    Context 'the extraction' {
        It 'fails loudly for a heading the README does not have' {
            { Get-ReadmeCodeBlock '## No such section' } | Should -Throw '*no heading*'
        }
    }
}

Describe 'CONTRIBUTING' -Tag Once {
    It 'names only files that exist' {
        $root = Join-Path $PSScriptRoot '../..'
        $text = Get-Content (Join-Path $root 'CONTRIBUTING.md') -Raw
        $files = @(Get-ChildItem $root -Recurse -File -Include *.cs, *.ps1, *.psd1, *.ps1xml, *.md |
            Where-Object FullName -NotMatch '[\\/](bin|obj|out)[\\/]' | ForEach-Object Name)
        # What the build writes under out/ is not in the tree.
        $named = [regex]::Matches($text, '(?<![\w.<>/-])((?:[\w.-]+/)*[A-Za-z][\w.-]*\.(?:cs|ps1|psd1|ps1xml|md))\b(?!>)') |
            ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -notlike 'out/*' } | ForEach-Object { Split-Path -Leaf $_ } | Sort-Object -Unique
        $named.Count | Should -BeGreaterThan 20
        $named | Where-Object { $_ -notin $files } | Should -BeNullOrEmpty -Because 'a map that points at files no longer there misleads'
    }
}
