# Edit-ApiKey: the interactive argument editor of TrueNAS's CLI.
# This run has no terminal (-NonInteractive; in CI input is not a terminal either), so every test that goes through
# the editor runs Edit-ApiKey in a child pwsh with a pseudo-terminal (util-linux `script`), with a scripted EDITOR
# (editors/scripted-editor.sh) that changes the document as a user would; see TestHelpers/Terminal.ps1.
# Each test uses a store of its own under $TestDrive.
# The document's own rules (what each field does, the ErrorId of each bad document, which changes nothing) are tested on
# the engine, in tests/ApiKeyModule.Engine.Tests/KeyDocument*Tests.cs; the -Yaml tests here cover what needs the cmdlet:
# its output, the pipeline, -WhatIf, warnings, and how an error surfaces as an ErrorRecord.

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/TestHelpers.psm1') -Force

    # Everything about the keys of a store that an edit could change, one line per key.
    function Get-KeySnapshot([string] $StorePath) {
        @(Get-ApiKey -StorePath $StorePath | ForEach-Object {
                '{0}|{1}|{2}|{3}|{4}' -f $_.Id, $_.Name, (Format-Allowlist $_), $(if ($_.ExpiresAt) { $_.ExpiresAt.ToString('o') } else { 'never' }), $_.Revoked
            }) -join "`n"
    }

    # The "# <Type>: <description>" comment line nearest above a field (as it is, or commented out), looking only at
    # the comment lines directly above it and not past another field; $null when there is none.
    function Get-FieldComment([string] $Document, [string] $Field) {
        $lines = $Document -split "`n"
        $at = 0
        while ($at -lt $lines.Count -and $lines[$at] -notmatch "^(# )?${Field}:( |$)") { $at++ }
        if ($at -ge $lines.Count) { return $null }
        for ($i = $at - 1; $i -ge 0 -and $lines[$i].StartsWith('#'); $i--) {
            if ($lines[$i] -match '^# (name|allowlist|expires_at|reset|grace_period):') { return $null }
            if ($lines[$i] -cmatch '^# [A-Z][A-Za-z]*: \S') { return $lines[$i] }
        }
        $null
    }

    # The lines of a document that are not comments or blank.
    function Get-ContentLines([string] $Document) {
        @($Document -split "`n" | Where-Object { $_ -notmatch '^\s*(#|$)' })
    }

    # Runs Edit-ApiKey (with -StorePath $Store and $Arguments; $Before is put in front, e.g. a pipeline) in a terminal
    # with the scripted editor of $Plan as EDITOR.
    function Invoke-ScriptedEdit {
        param(
            [Parameter(Mandatory)] [string] $Store,
            [Parameter(Mandatory)] [string] $Plan,
            [string] $Arguments = '',
            [string] $Before = '',
            [object[]] $Answers = @(),
            [hashtable] $Environment = @{}
        )
        $variables = @{ EDITOR = Get-ScriptedEditorCommand $Plan }
        foreach ($name in $Environment.Keys) { $variables[$name] = $Environment[$name] }
        Invoke-EditInTerminal -Folder $TestDrive -Command "$Before Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $Store) $Arguments" -Environment $variables -Answers $Answers
    }

    # Answers to the prompt, typed once it waits for them (the choices line ends it).
    $EditAgain = 'Edit it again\?[\s\S]*?\(default is "Y"\):'
    $Yes = @{ After = $EditAgain; Send = "y`r" }
    $No = @{ After = $EditAgain; Send = "n`r" }
    # Fills in the name of a new key and gives it an allowlist, as a user would in the template.
    $FillSed = 's/^name: $/name: filled-in/' + "`n" + 's/^# allowlist: \[\]$/allowlist:\n- method: CALL\n  resource: system.info\n- method: GET\n  resource: \/pool\/*/' + "`n"
}

Describe 'Edit-ApiKey' {
    BeforeEach {
        $store = New-TestStorePath $TestDrive
    }

    Context '-Template for a new key' {
        It 'writes the document as one string, without opening an editor or creating the store' {
            $plan = New-EditorPlan $TestDrive
            $saved = $env:VISUAL
            try {
                # If -Template went to the editor, this would fail with NoTerminal here, or open the scripted editor.
                $env:VISUAL = Get-ScriptedEditorCommand $plan
                $output = Edit-ApiKey -StorePath $store -Template
            }
            finally {
                $env:VISUAL = $saved
            }
            @($output).Count | Should -Be 1
            $output | Should -BeOfType [string]
            $output | Should -Match '(?m)^name:'
            Get-EditorOpenCount $plan | Should -Be 0
            Test-StoreExists $store | Should -BeFalse
        }

        It 'puts a "# <Type>: <description>" comment above the field <Field>' -ForEach @(
            @{ Field = 'name'; Type = 'String' }
            @{ Field = 'allowlist'; Type = 'List' }
            @{ Field = 'expires_at'; Type = 'DateTime' }
        ) {
            $template = Edit-ApiKey -StorePath $store -Template
            Get-FieldComment $template $Field | Should -Match "^# ${Type}: \S"
        }

        It 'leaves name to fill in, comments the optional fields out with their defaults, and has no reset' {
            $template = Edit-ApiKey -StorePath $store -Template
            $lines = $template -split "`n"
            Get-ContentLines $template | Should -Be @('name: ')
            $lines | Should -Contain '# allowlist: []'
            $lines | Should -Contain '# expires_at: null'
            $lines | Where-Object { $_ -match '^(# )?(reset|grace_period):' } | Should -BeNullOrEmpty
        }
    }

    Context '-Template for an existing key' {
        BeforeEach {
            $key = New-ApiKey -StorePath $store -Name 'target' -ExpiresAt ([datetime]::new(2030, 1, 31, 0, 0, 0, [DateTimeKind]::Utc)) `
                -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool/*' }
            $bare = New-ApiKey -StorePath $store -Name 'bare' -WarningAction SilentlyContinue
        }

        It 'fills every field in from the store and adds reset: false and grace_period: null' {
            $template = Edit-ApiKey -StorePath $store -Id $key.Id -Template
            @($template).Count | Should -Be 1
            $template | Should -Match "(?m)^# .*\b$($key.Id)\b"
            Get-ContentLines $template | Should -Be @(
                'name: "target"'
                'allowlist:'
                '- method: "CALL"'
                '  resource: "system.info"'
                '- method: "GET"'
                '  resource: "/pool/*"'
                'expires_at: 2030-01-31T00:00:00Z'
                'reset: false'
                'grace_period: null'
            )
            $template -split "`n" | Where-Object { $_ -match '^# (name|allowlist|expires_at|reset|grace_period):' } | Should -BeNullOrEmpty
        }

        It 'puts a "# <Type>: <description>" comment above the field <Field>' -ForEach @(
            @{ Field = 'name'; Type = 'String' }
            @{ Field = 'allowlist'; Type = 'List' }
            @{ Field = 'expires_at'; Type = 'DateTime' }
            @{ Field = 'reset'; Type = 'Boolean' }
            @{ Field = 'grace_period'; Type = 'Duration' }
        ) {
            $template = Edit-ApiKey -StorePath $store -Id $key.Id -Template
            Get-FieldComment $template $Field | Should -Match "^# ${Type}: \S"
        }

        It 'writes allowlist: [] and expires_at: null for a key with neither' {
            $template = Edit-ApiKey -StorePath $store -Id $bare.Id -Template
            Get-ContentLines $template | Should -Be @('name: "bare"', 'allowlist: []', 'expires_at: null', 'reset: false', 'grace_period: null')
        }

        It 'writes the document of each key piped in' {
            $templates = @(Get-ApiKey -StorePath $store | Edit-ApiKey -StorePath $store -Template)
            $templates.Count | Should -Be 2
            $templates[0] | Should -Match '(?m)^name: "target"$'
            $templates[1] | Should -Match '(?m)^name: "bare"$'
        }

        It 'fails with ApiKeyNotFound for an -Id that is not in the store' {
            $errors = Get-ErrorRecord { Edit-ApiKey -StorePath $store -Id 999 -Template }
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
        }
    }

    Context '-Yaml: a new key' {
        It 'creates the key and writes it with its Key, which verifies' {
            $output = Edit-ApiKey -StorePath $store -Yaml "name: from-yaml`nallowlist:`n- method: CALL`n  resource: system.info`nexpires_at: 2031-02-03T04:05:06Z"
            @($output).Count | Should -Be 1
            $output.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
            $output.Key | Should -MatchExactly "^$($output.Id)-[A-Za-z0-9]{64}$"
            $got = Get-ApiKey -StorePath $store -Id $output.Id
            $got.Name | Should -BeExactly 'from-yaml'
            Format-Allowlist $got | Should -BeExactly 'CALL system.info'
            $got.ExpiresAt | Should -Be ([datetime]::new(2031, 2, 3, 4, 5, 6, [DateTimeKind]::Utc))
            Test-ApiKey -StorePath $store $output.Key -Method CALL -Resource system.info | Should -BeTrue
        }

        It 'takes the document from the pipeline, one key per document' {
            $output = @("name: piped-one`nallowlist: [{method: GET, resource: /one}]", "name: piped-two`nallowlist: [{method: GET, resource: /two}]" | Edit-ApiKey -StorePath $store)
            $output.Count | Should -Be 2
            $output.Name | Should -Be @('piped-one', 'piped-two')
            (Get-ApiKey -StorePath $store).Name | Should -Be @('piped-one', 'piped-two')
        }

        It 'changes nothing with -WhatIf' {
            Add-SeedKeys $store | Out-Null
            $before = Get-KeySnapshot $store
            $output = Edit-ApiKey -StorePath $store -Yaml 'name: what-if' -WhatIf
            $output | Should -BeNullOrEmpty
            Get-KeySnapshot $store | Should -BeExactly $before
        }

        It 'warns and changes nothing for an empty document' {
            Add-SeedKeys $store | Out-Null
            $before = Get-KeySnapshot $store
            $output = Edit-ApiKey -StorePath $store -Yaml '' -WarningVariable warnings -WarningAction SilentlyContinue
            $output | Should -BeNullOrEmpty
            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -Match 'empty'
            Get-KeySnapshot $store | Should -BeExactly $before
        }
    }

    Context '-Yaml: an existing key' {
        BeforeEach {
            $key = New-ApiKey -StorePath $store -Name 'target' -Allowlist @{ method = 'CALL'; resource = 'system.info' }, @{ method = 'GET'; resource = '/pool' }
            $other = New-ApiKey -StorePath $store -Name 'other' -Allowlist @{ method = 'GET'; resource = '/other' }
        }

        It 'applies a rename, keeps the fields the document leaves out, and writes nothing' {
            $output = Edit-ApiKey -StorePath $store -Id $key.Id -Yaml 'name: renamed'
            $output | Should -BeNullOrEmpty
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'renamed'
            Format-Allowlist $got | Should -BeExactly 'CALL system.info; GET /pool'
            Test-ApiKey -StorePath $store $key.Key | Should -BeTrue
            (Get-ApiKey -StorePath $store -Id $other.Id).Name | Should -BeExactly 'other'
        }

        It 'writes the updated key, without a Key, with -PassThru' {
            $output = Edit-ApiKey -StorePath $store -Id $key.Id -Yaml 'allowlist: [{method: PUT, resource: /r}]' -PassThru
            @($output).Count | Should -Be 1
            $output.GetType().FullName | Should -Be 'ApiKeyModule.ApiKey'
            $output.PSObject.Properties.Name | Should -Not -Contain 'Key'
            Format-Allowlist $output | Should -BeExactly 'PUT /r'
        }

        It 'with reset: true writes an IssuedApiKey with a new Key; the old key stops working' {
            $output = Edit-ApiKey -StorePath $store -Id $key.Id -Yaml "reset: true`nname: reset-and-renamed"
            @($output).Count | Should -Be 1
            $output.GetType().FullName | Should -Be 'ApiKeyModule.IssuedApiKey'
            $output.Id | Should -Be $key.Id
            $output.Name | Should -BeExactly 'reset-and-renamed'
            $output.Key | Should -MatchExactly "^$($key.Id)-[A-Za-z0-9]{64}$"
            $output.Key | Should -Not -BeExactly $key.Key
            Test-ApiKey -StorePath $store $key.Key | Should -BeFalse
            Test-ApiKey -StorePath $store $output.Key | Should -BeTrue
            Test-ApiKey -StorePath $store $other.Key | Should -BeTrue
        }

        It 'changes nothing for a document that changes nothing, and writes the key with -PassThru' {
            $before = Get-KeySnapshot $store
            Edit-ApiKey -StorePath $store -Id $key.Id -Yaml 'name: target' | Should -BeNullOrEmpty
            $output = Edit-ApiKey -StorePath $store -Id $key.Id -Yaml 'name: target' -PassThru
            $output.Id | Should -Be $key.Id
            $output.PSObject.Properties.Name | Should -Not -Contain 'Key'
            Get-KeySnapshot $store | Should -BeExactly $before
            Test-ApiKey -StorePath $store $key.Key | Should -BeTrue
        }

        It 'takes the document from the pipeline with -Id (Get-Content -Raw | Edit-ApiKey -Id)' {
            $file = Join-Path $TestDrive "$([guid]::NewGuid()).yaml"
            Set-Content -LiteralPath $file -Value "name: from-file`nallowlist:`n- method: SUBSCRIBE`n  resource: certificate.query"
            Get-Content -LiteralPath $file -Raw | Edit-ApiKey -StorePath $store -Id $key.Id
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'from-file'
            Format-Allowlist $got | Should -BeExactly 'SUBSCRIBE certificate.query'
        }

        It 'applies the document to the key piped in' {
            Get-ApiKey -StorePath $store -Id $other.Id | Edit-ApiKey -StorePath $store -Yaml 'name: piped-key'
            (Get-ApiKey -StorePath $store -Id $other.Id).Name | Should -BeExactly 'piped-key'
            (Get-ApiKey -StorePath $store -Id $key.Id).Name | Should -BeExactly 'target'
        }

        It 'applies the document to each key piped in' {
            Get-ApiKey -StorePath $store | Edit-ApiKey -StorePath $store -Yaml 'allowlist: [{method: GET, resource: /all}]'
            Get-ApiKey -StorePath $store | ForEach-Object { Format-Allowlist $_ | Should -BeExactly 'GET /all' }
        }

        It 'changes nothing with -WhatIf, even with reset: true' {
            $before = Get-KeySnapshot $store
            $output = Edit-ApiKey -StorePath $store -Id $key.Id -Yaml "name: what-if`nreset: true" -WhatIf
            $output | Should -BeNullOrEmpty
            Get-KeySnapshot $store | Should -BeExactly $before
            Test-ApiKey -StorePath $store $key.Key | Should -BeTrue
        }

        It 'warns and changes nothing for an empty document' {
            $before = Get-KeySnapshot $store
            Edit-ApiKey -StorePath $store -Id $key.Id -Yaml '' -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
            $warnings.Count | Should -Be 1
            Get-KeySnapshot $store | Should -BeExactly $before
        }
    }

    Context '-Yaml: errors' {
        BeforeEach {
            $seeds = Add-SeedKeys $store
            $before = Get-KeySnapshot $store
        }

        It 'writes an error of the document of a new key as one ErrorRecord with its ErrorId and category, and changes nothing' {
            $errors = Get-ErrorRecord { Edit-ApiKey -StorePath $store -Yaml "name: [unclosed`n" }
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidKeyDocument,*'
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            Get-KeySnapshot $store | Should -BeExactly $before
        }

        It 'writes an error of the store for the document of an existing key as one ErrorRecord with its ErrorId and category, and changes nothing' {
            $errors = Get-ErrorRecord { Edit-ApiKey -StorePath $store -Id $seeds[0].Id -Yaml "name: seed-two`nreset: true`n" }
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateName,*'
            $errors[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-KeySnapshot $store | Should -BeExactly $before
            Test-ApiKey -StorePath $store $seeds[0].Key | Should -BeTrue
        }

        It 'fails with ApiKeyNotFound for an -Id that is not in the store' {
            $errors = Get-ErrorRecord { Edit-ApiKey -StorePath $store -Id 999 -Yaml 'name: x' }
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'ApiKeyNotFound,*'
            Get-KeySnapshot $store | Should -BeExactly $before
        }
    }

    Context 'in a terminal, with a scripted editor' {
        It 'creates the key the user filled in, and writes it with its Key' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = $FillSed }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan
            $run.Result.ErrorId | Should -BeNullOrEmpty
            Get-EditorOpenCount $plan | Should -Be 1
            @($run.Result.Output).Count | Should -Be 1
            $issued = $run.Result.Output[0]
            $issued.Type | Should -Be 'ApiKeyModule.IssuedApiKey'
            $issued.Name | Should -BeExactly 'filled-in'
            $issued.Key | Should -MatchExactly "^$($issued.Id)-[A-Za-z0-9]{64}$"
            $got = @(Get-ApiKey -StorePath $store)
            $got.Count | Should -Be 1
            $got[0].Name | Should -BeExactly 'filled-in'
            Format-Allowlist $got[0] | Should -BeExactly 'CALL system.info; GET /pool/*'
            Test-ApiKey -StorePath $store $issued.Key -Method GET -Resource /pool/tank | Should -BeTrue
        }

        It 'opens the -Template document of a new key, in a private file (0600) in the private folder (not the temp folder), removed afterwards' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = $FillSed }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan
            Get-OpenedDocument $plan 1 | Should -BeExactly (Edit-ApiKey -StorePath (New-TestStorePath $TestDrive) -Template)
            (Get-Content (Join-Path $plan 'opened-1.mode') -Raw).Trim() | Should -Be '600'
            $path = Get-Content (Join-Path $plan 'path-1') -Raw
            Split-Path $path -Parent | Should -Be $run.DocumentFolder
            Split-Path $path -Leaf | Should -BeLike '*.yaml'
            Test-Path $path | Should -BeFalse
            @(Get-ChildItem -Force $run.DocumentFolder).Count | Should -Be 0
            @(Get-ChildItem -Force $run.TempFolder).Count | Should -Be 0
        }

        It 'opens the pre-filled document of the key given by -Id and applies a rename, writing nothing' {
            $key = New-ApiKey -StorePath $store -Name 'before' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
            $template = Edit-ApiKey -StorePath $store -Id $key.Id -Template
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: .*/name: "after"/' }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments "-Id $($key.Id)"
            $run.Result.ErrorId | Should -BeNullOrEmpty
            Get-OpenedDocument $plan 1 | Should -BeExactly $template
            @($run.Result.Output).Count | Should -Be 0
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'after'
            Format-Allowlist $got | Should -BeExactly 'CALL system.info'
            Test-ApiKey -StorePath $store $key.Key | Should -BeTrue
        }

        It 'writes the updated key with -PassThru' {
            $key = New-ApiKey -StorePath $store -Name 'before' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: .*/name: "after"/' }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments "-Id $($key.Id) -PassThru"
            @($run.Result.Output).Count | Should -Be 1
            $run.Result.Output[0].Type | Should -Be 'ApiKeyModule.ApiKey'
            $run.Result.Output[0].Name | Should -BeExactly 'after'
            $run.Result.Output[0].Key | Should -BeNullOrEmpty
        }

        It 'with reset: true writes the new Key; the old key stops working' {
            $key = New-ApiKey -StorePath $store -Name 'to-reset' -Allowlist @{ method = 'CALL'; resource = 'system.info' }
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^reset: false$/reset: true/' }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments "-Id $($key.Id)"
            @($run.Result.Output).Count | Should -Be 1
            $issued = $run.Result.Output[0]
            $issued.Type | Should -Be 'ApiKeyModule.IssuedApiKey'
            $issued.Id | Should -Be $key.Id
            $issued.Key | Should -MatchExactly "^$($key.Id)-[A-Za-z0-9]{64}$"
            Test-ApiKey -StorePath $store $key.Key | Should -BeFalse
            Test-ApiKey -StorePath $store $issued.Key | Should -BeTrue
        }

        It 'edits the key piped in' {
            $first = New-ApiKey -StorePath $store -Name 'first' -Allowlist @{ method = 'GET'; resource = '/one' }
            $second = New-ApiKey -StorePath $store -Name 'second' -Allowlist @{ method = 'GET'; resource = '/two' }
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: .*/name: "piped"/' }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Before "Get-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Id $($second.Id) |"
            $run.Result.ErrorId | Should -BeNullOrEmpty
            Get-OpenedDocument $plan 1 | Should -Match '(?m)^name: "second"$'
            (Get-ApiKey -StorePath $store -Id $second.Id).Name | Should -BeExactly 'piped'
            (Get-ApiKey -StorePath $store -Id $first.Id).Name | Should -BeExactly 'first'
        }

        It 'opens one document after the other for the keys piped in' {
            New-ApiKey -StorePath $store -Name 'first' -Allowlist @{ method = 'GET'; resource = '/one' } | Out-Null
            New-ApiKey -StorePath $store -Name 'second' -Allowlist @{ method = 'GET'; resource = '/two' } | Out-Null
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: "\(.*\)"$/name: "\1-edited"/'; '2.sed' = 's/^name: "\(.*\)"$/name: "\1-edited"/' }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Before "Get-ApiKey -StorePath $(ConvertTo-PSLiteral $store) |"
            $run.Result.ErrorId | Should -BeNullOrEmpty
            Get-EditorOpenCount $plan | Should -Be 2
            Get-OpenedDocument $plan 1 | Should -Match '(?m)^name: "first"$'
            Get-OpenedDocument $plan 2 | Should -Match '(?m)^name: "second"$'
            (Get-ApiKey -StorePath $store).Name | Should -Be @('first-edited', 'second-edited')
        }

        It 'edits the key whose Id is piped in by property name (<Case>)' -ForEach @(
            @{ Case = 'Select-Object Id'; Pipe = 'Get-ApiKey -StorePath $store -Id $id | Select-Object Id |' }
            @{ Case = 'a deserialized key, as from Import-Clixml or a job'; Pipe = '[System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-ApiKey -StorePath $store -Id $id))) |' }
        ) {
            $key = New-ApiKey -StorePath $store -Name 'by-property' -Allowlist @{ method = 'GET'; resource = '/p' }
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: .*/name: "renamed-by-property"/' }
            $before = "`$store = $(ConvertTo-PSLiteral $store); `$id = $($key.Id); $Pipe"
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Before $before
            $run.Result.ErrorId | Should -BeNullOrEmpty -Because "the piped object gives the key's Id (error: $($run.Result.Error))"
            Get-EditorOpenCount $plan | Should -Be 1
            (Get-ApiKey -StorePath $store -Id $key.Id).Name | Should -BeExactly 'renamed-by-property'
        }

        It 'keeps an expiry with milliseconds when only the name is changed' {
            $key = New-ApiKey -StorePath $store -Name 'expiring' -ExpiresAt ([datetime]::new(2031, 5, 6, 7, 8, 9, 123, [DateTimeKind]::Utc))
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: .*/name: "expiring-renamed"/' }
            Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments "-Id $($key.Id)" | Out-Null
            $got = Get-ApiKey -StorePath $store -Id $key.Id
            $got.Name | Should -BeExactly 'expiring-renamed'
            $got.ExpiresAt.ToString('o') | Should -Be '2031-05-06T07:08:09.1230000Z'
        }

        It 'creates nothing with -WhatIf' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = $FillSed }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments '-WhatIf'
            $run.Result.ErrorId | Should -BeNullOrEmpty
            Get-EditorOpenCount $plan | Should -Be 1
            @($run.Result.Output).Count | Should -Be 0
            @(Get-ApiKey -StorePath $store).Count | Should -Be 0
        }

        It 'creates nothing when the user answers No to -Confirm' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = $FillSed }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments '-Confirm' -Answers @(@{ After = 'Are you sure[\s\S]*?\(default is "Y"\):'; Send = "n`r" })
            $run.Result.ErrorId | Should -BeNullOrEmpty
            @($run.Result.Output).Count | Should -Be 0
            @(Get-ApiKey -StorePath $store).Count | Should -Be 0
        }
    }

    Context 'in a terminal: which editor' {
        BeforeEach {
            # Stand-ins for nano and vi: they run the scripted editor, each with a plan of its own.
            $nanoPlan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: by-nano/' }
            $viPlan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: by-vi/' }
            $nanoFolder = Join-Path $TestDrive "nano-$([guid]::NewGuid().ToString('N'))"
            $viFolder = Join-Path $TestDrive "vi-$([guid]::NewGuid().ToString('N'))"
            foreach ($pair in @(@($nanoFolder, 'nano', $nanoPlan), @($viFolder, 'vi', $viPlan))) {
                New-Item -ItemType Directory -Path $pair[0] | Out-Null
                $program = Join-Path $pair[0] $pair[1]
                [IO.File]::WriteAllText($program, "#!/bin/sh`nPATH=/usr/bin:/bin`nexport PATH`nexec sh $(ConvertTo-ShLiteral (Join-Path $PSScriptRoot 'editors/scripted-editor.sh')) $(ConvertTo-ShLiteral $pair[2]) `"`$@`"`n")
                [IO.File]::SetUnixFileMode($program, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
            }
        }

        It 'uses $env:VISUAL before $env:EDITOR' {
            $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ VISUAL = (Get-ScriptedEditorCommand $viPlan); EDITOR = (Get-ScriptedEditorCommand $nanoPlan) }
            $run.Result.Output[0].Name | Should -BeExactly 'by-vi'
            Get-EditorOpenCount $viPlan | Should -Be 1
            Get-EditorOpenCount $nanoPlan | Should -Be 0
        }

        It 'uses $env:EDITOR when $env:VISUAL is blank' {
            $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ VISUAL = '  '; EDITOR = (Get-ScriptedEditorCommand $nanoPlan) }
            $run.Result.Output[0].Name | Should -BeExactly 'by-nano'
        }

        It 'uses nano when neither is set and nano is on the PATH' {
            $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ PATH = "${nanoFolder}:$viFolder" }
            $run.Result.ErrorId | Should -BeNullOrEmpty
            $run.Result.Output[0].Name | Should -BeExactly 'by-nano'
            Get-EditorOpenCount $viPlan | Should -Be 0
        }

        It 'uses vi when neither is set and there is no nano' {
            $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ PATH = $viFolder }
            $run.Result.ErrorId | Should -BeNullOrEmpty
            $run.Result.Output[0].Name | Should -BeExactly 'by-vi'
        }

        It 'runs an editor command with arguments, grouping <Quote>-quoted words with spaces (also in the document''s path)' -ForEach @(
            @{ Quote = 'double'; Mark = '"' }
            @{ Quote = 'single'; Mark = "'" }
        ) {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: quoted/' }
            $spaced = Join-Path $TestDrive "plan with spaces $([guid]::NewGuid().ToString('N'))"
            Move-Item $plan $spaced
            $runtime = Join-Path $TestDrive "runtime with spaces $([guid]::NewGuid().ToString('N'))"
            New-Item -ItemType Directory -Path $runtime | Out-Null
            $editor = "sh $Mark$(Join-Path $PSScriptRoot 'editors/scripted-editor.sh')$Mark $Mark$spaced$Mark"
            $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ EDITOR = $editor; XDG_RUNTIME_DIR = $runtime }
            $run.Result.ErrorId | Should -BeNullOrEmpty -Because "$($run.Result.Error)"
            $run.Result.Output[0].Name | Should -BeExactly 'quoted'
            Split-Path (Get-Content (Join-Path $spaced 'path-1') -Raw) -Parent | Should -Be (Join-Path $runtime 'ApiKeyModule')
        }

        It 'fails with EditorFailed when the editor cannot be started, and changes nothing' {
            $run = Invoke-EditInTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment @{ EDITOR = "/nonexistent/editor-$([guid]::NewGuid().ToString('N')) --wait" }
            $run.Result.ErrorId | Should -BeLike 'EditorFailed,*'
            @(Get-ApiKey -StorePath $store).Count | Should -Be 0
            @(Get-ChildItem -Force $run.DocumentFolder).Count | Should -Be 0
        }
    }

    Context 'in a terminal: cancelling' {
        BeforeEach {
            $seeds = Add-SeedKeys $store
            $before = Get-KeySnapshot $store
        }

        It 'changes nothing and warns when the editor exits with a non-zero code, even after saving' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = $FillSed; '1.exit' = '3' }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan
            Get-OpenedDocument $plan 1 | Out-Null
            (Get-Content (Join-Path $plan 'saved-1.yaml') -Raw) | Should -Match '(?m)^name: filled-in$'
            @($run.Result.Output).Count | Should -Be 0
            $run.Result.ErrorId | Should -BeNullOrEmpty
            ($run.Result.Warnings -join "`n") | Should -Match '\b3\b'
            Get-KeySnapshot $store | Should -BeExactly $before
        }

        It 'changes nothing and warns when a new key''s document is saved untouched' {
            $plan = New-EditorPlan $TestDrive
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan
            Get-EditorOpenCount $plan | Should -Be 1
            @($run.Result.Output).Count | Should -Be 0
            @($run.Result.Warnings).Count | Should -Be 1
            $run.Result.Warnings[0] | Should -Match 'unchanged'
            Get-KeySnapshot $store | Should -BeExactly $before
        }

        It 'changes nothing and warns when a key''s document is saved untouched (with -PassThru: no output)' {
            $plan = New-EditorPlan $TestDrive
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments "-Id $($seeds[0].Id) -PassThru"
            @($run.Result.Warnings).Count | Should -Be 1
            $run.Result.Warnings[0] | Should -Match 'unchanged'
            @($run.Result.Output).Count | Should -Be 0
            Get-KeySnapshot $store | Should -BeExactly $before
        }

        It 'changes nothing and warns when the document of <Case> is <How>' -ForEach @(
            @{ Case = 'a new key'; Arguments = ''; How = 'emptied'; Files = @{ '1.empty' = '' } }
            @{ Case = 'a new key'; Arguments = ''; How = 'left with only comments'; Files = @{ '1.sed' = '/^[^#]/d' } }
            @{ Case = 'a new key'; Arguments = ''; How = 'left with only white space'; Files = @{ '1.yaml' = "`n   `n`n" } }
            @{ Case = 'an existing key'; Arguments = '-Id 1'; How = 'emptied'; Files = @{ '1.empty' = '' } }
            @{ Case = 'an existing key'; Arguments = '-Id 1'; How = 'left with only comments'; Files = @{ '1.sed' = '/^[^#]/d' } }
        ) {
            $plan = New-EditorPlan $TestDrive $Files
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments $Arguments
            Get-EditorOpenCount $plan | Should -Be 1
            $run.Result.ErrorId | Should -BeNullOrEmpty
            @($run.Result.Output).Count | Should -Be 0
            @($run.Result.Warnings).Count | Should -Be 1
            $run.Result.Warnings[0] | Should -Match 'empty'
            Get-KeySnapshot $store | Should -BeExactly $before
            Test-ApiKey -StorePath $store $seeds[0].Key | Should -BeTrue
        }
    }

    Context 'in a terminal: a document with an error' {
        BeforeEach {
            $seeds = Add-SeedKeys $store
            $before = Get-KeySnapshot $store
        }

        It 'after <Case>: asks to edit again; Yes reopens it with # ERROR: lines on top and the user''s text kept' -ForEach @(
            @{ Case = 'an unknown method'; Message = 'FETCH'
                Break = 's/^name: $/name: fixed-later/' + "`n" + 's/^# allowlist: \[\]$/allowlist:\n- method: FETCH\n  resource: system.info/'
                Fix = 's/FETCH/GET/'; Name = 'fixed-later'; Allowlist = 'GET system.info' }
            @{ Case = 'an unknown field'; Message = 'expiry'
                Break = 's/^name: $/name: fixed-later/' + "`n" + 's/^# expires_at: null$/expiry: 2031-01-01T00:00:00Z/'
                Fix = 's/^expiry:/expires_at:/'; Name = 'fixed-later'; Allowlist = '' }
            @{ Case = 'text that is not YAML'; Message = 'YAML'
                Break = 's/^name: $/name: [fixed-later/'
                Fix = 's/^name: \[/name: /'; Name = 'fixed-later'; Allowlist = '' }
            @{ Case = 'a !!python/object tag'; Message = 'python'
                Break = 's/^name: $/name: !!python\/object:os.system fixed-later/'
                Fix = 's/!!python\/object:os.system //'; Name = 'fixed-later'; Allowlist = '' }
            @{ Case = 'no name'; Message = 'missing'
                Break = 's/^# allowlist: \[\]$/allowlist: [{method: CALL, resource: system.info}]/'
                Fix = 's/^name: $/name: fixed-later/'; Name = 'fixed-later'; Allowlist = 'CALL system.info' }
            @{ Case = 'the name of another key'; Message = 'seed-one'
                Break = 's/^name: $/name: Seed-One/'
                Fix = 's/^name: Seed-One$/name: fixed-later/'; Name = 'fixed-later'; Allowlist = '' }
            @{ Case = 'an expiry in the past'; Message = 'past'
                Break = 's/^name: $/name: fixed-later/' + "`n" + 's/^# expires_at: null$/expires_at: 2001-01-01T00:00:00Z/'
                Fix = 's/2001-/2031-/'; Name = 'fixed-later'; Allowlist = '' }
        ) {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = $Break + "`n"; 'fix.sed' = $Fix + "`n" }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Answers @($Yes)
            Get-EditorOpenCount $plan | Should -Be 2
            ($run.Result.Warnings -join "`n") | Should -Match $Message
            $reopened = Get-OpenedDocument $plan 2
            $errorLines = @($reopened -split "`n" | Where-Object { $_.StartsWith('# ERROR: ') })
            $errorLines.Count | Should -BeGreaterThan 0
            ($errorLines -join "`n") | Should -Match $Message
            # The # ERROR: lines come first, followed by exactly what the user saved.
            $reopened | Should -BeExactly (($errorLines -join "`n") + "`n" + (Get-Content (Join-Path $plan 'saved-1.yaml') -Raw))
            $run.Result.ErrorId | Should -BeNullOrEmpty
            @($run.Result.Output).Count | Should -Be 1
            $run.Result.Output[0].Type | Should -Be 'ApiKeyModule.IssuedApiKey'
            $created = Get-ApiKey -StorePath $store -Id $run.Result.Output[0].Id
            $created.Name | Should -BeExactly $Name
            Format-Allowlist $created | Should -BeExactly $Allowlist
            @(Get-ApiKey -StorePath $store).Count | Should -Be 3
        }

        It 'reopens the document when the user just presses Enter (Yes is the default)' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = "s/^name: `$/name: [broken/`n"; 'fix.sed' = "s/^name: \[broken`$/name: mended/`n" }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Answers @(@{ After = $EditAgain; Send = "`r" })
            Get-EditorOpenCount $plan | Should -Be 2
            $run.Result.Output[0].Name | Should -BeExactly 'mended'
        }

        It 'cancels with nothing changed when the user answers No' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: $/name: never-made/' + "`n" + 's/^# allowlist: \[\]$/allowlist: [{method: FETCH, resource: x}]/' + "`n" }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Answers @($No)
            Get-EditorOpenCount $plan | Should -Be 1
            $run.Result.ErrorId | Should -BeNullOrEmpty
            @($run.Result.Output).Count | Should -Be 0
            ($run.Result.Warnings -join "`n") | Should -Match 'FETCH'
            ($run.Result.Warnings -join "`n") | Should -Match 'Cancel'
            Get-KeySnapshot $store | Should -BeExactly $before
            @(Get-ChildItem -Force $run.DocumentFolder).Count | Should -Be 0
        }

        It 'shows only the latest error when the document is broken again' {
            $plan = New-EditorPlan $TestDrive @{
                '1.sed' = 's/^name: $/name: third-time/' + "`n" + 's/^# allowlist: \[\]$/allowlist: [{method: FETCH, resource: x}]/' + "`n"
                '2.sed' = 's/FETCH/GET/' + "`n" + 's/^# expires_at: null$/colour: blue/' + "`n"
                '3.sed' = '/^colour: blue$/d' + "`n"
            }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Answers @($Yes, $Yes)
            Get-EditorOpenCount $plan | Should -Be 3
            $third = Get-OpenedDocument $plan 3
            $errorLines = @($third -split "`n" | Where-Object { $_.StartsWith('# ERROR: ') })
            ($errorLines -join "`n") | Should -Match 'colour'
            ($errorLines -join "`n") | Should -Not -Match 'FETCH'
            $third | Should -Not -Match 'FETCH'
            $run.Result.Output[0].Name | Should -BeExactly 'third-time'
            Format-Allowlist (Get-ApiKey -StorePath $store -Id $run.Result.Output[0].Id) | Should -BeExactly 'GET x'
        }

        It 'for an existing key: Yes reopens it, and the fixed document is applied' {
            $plan = New-EditorPlan $TestDrive @{
                '1.sed' = 's/^name: .*/name: "seed-renamed"/' + "`n" + 's/^reset: false$/reset: maybe/' + "`n"
                'fix.sed' = 's/^reset: maybe$/reset: false/' + "`n"
            }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments "-Id $($seeds[0].Id)" -Answers @($Yes)
            Get-EditorOpenCount $plan | Should -Be 2
            Get-OpenedDocument $plan 2 | Should -Match '(?m)^# ERROR: .*maybe'
            Get-OpenedDocument $plan 2 | Should -Match '(?m)^name: "seed-renamed"$'
            $run.Result.ErrorId | Should -BeNullOrEmpty
            @($run.Result.Output).Count | Should -Be 0
            $got = Get-ApiKey -StorePath $store -Id $seeds[0].Id
            $got.Name | Should -BeExactly 'seed-renamed'
            Format-Allowlist $got | Should -BeExactly 'CALL system.info'
            Test-ApiKey -StorePath $store $seeds[0].Key | Should -BeTrue
        }

        It 'for an existing key: No cancels with nothing changed' {
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = 's/^name: .*/name: "seed-renamed"/' + "`n" + 's/^- method: "CALL"$/- method: "FETCH"/' + "`n" }
            $run = Invoke-ScriptedEdit -Store $store -Plan $plan -Arguments "-Id $($seeds[0].Id)" -Answers @($No)
            Get-EditorOpenCount $plan | Should -Be 1
            ($run.Result.Warnings -join "`n") | Should -Match 'FETCH'
            Get-KeySnapshot $store | Should -BeExactly $before
        }
    }

    Context 'without a terminal' {
        BeforeEach {
            $key = New-ApiKey -StorePath $store -Name 'existing' -Allowlist @{ method = 'GET'; resource = '/x' }
            $before = Get-KeySnapshot $store
            $plan = New-EditorPlan $TestDrive @{ '1.sed' = $FillSed }
            $editor = @{ EDITOR = Get-ScriptedEditorCommand $plan }
        }

        It 'refuses the editor at once with NoTerminal under pwsh <Switch>, even with a terminal' -ForEach @(
            @{ Switch = '-NonInteractive' }
            @{ Switch = '-noni' }
        ) {
            $run = Invoke-InTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment $editor -PwshArguments $Switch -TimeoutSeconds 60
            $run.Result.Finished | Should -BeTrue -Because $run.Transcript
            $run.Result.ErrorId | Should -BeLike 'NoTerminal,*'
            $run.Result.Category | Should -Be 'InvalidArgument'
            $run.Result.Error | Should -Match '-Yaml'
            Get-EditorOpenCount $plan | Should -Be 0
            Get-KeySnapshot $store | Should -BeExactly $before
        }

        It 'refuses the editor at once with NoTerminal when input is <Case>' -ForEach @(
            @{ Case = 'a pipe that stays open'; Stdin = 'Pipe' }
            @{ Case = '/dev/null'; Stdin = 'DevNull' }
        ) {
            $run = Invoke-WithoutTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Id $($key.Id)" -Environment $editor -Stdin $Stdin -TimeoutSeconds 60
            $run.Exited | Should -BeTrue -Because 'Edit-ApiKey must not wait for input that never comes'
            $run.Result.ErrorId | Should -BeLike 'NoTerminal,*' -Because $run.Output
            $run.Result.Category | Should -Be 'InvalidArgument'
            $run.Result.Error | Should -Match "-Id $($key.Id)"
            Get-EditorOpenCount $plan | Should -Be 0
            Get-KeySnapshot $store | Should -BeExactly $before
        }

        It 'refuses the editor for a key piped in, as well' {
            $run = Invoke-WithoutTerminal -Folder $TestDrive -Command "Get-ApiKey -StorePath $(ConvertTo-PSLiteral $store) | Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store)" -Environment $editor -Stdin Pipe
            $run.Exited | Should -BeTrue
            $run.Result.ErrorId | Should -BeLike 'NoTerminal,*'
            Get-EditorOpenCount $plan | Should -Be 0
        }

        It 'applies -Yaml (<Case>)' -ForEach @(
            @{ Case = 'input a pipe'; Stdin = 'Pipe'; PwshArguments = @() }
            @{ Case = '-NonInteractive, input /dev/null'; Stdin = 'DevNull'; PwshArguments = @('-NonInteractive') }
        ) {
            $command = "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Yaml 'name: no-terminal'; 'name: renamed-without-terminal' | Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Id $($key.Id)"
            $run = Invoke-WithoutTerminal -Folder $TestDrive -Command $command -Environment $editor -Stdin $Stdin -PwshArguments $PwshArguments
            $run.Exited | Should -BeTrue
            $run.Result.ErrorId | Should -BeNullOrEmpty -Because "$($run.Result.Error)"
            $run.Result.Output[0].Type | Should -Be 'ApiKeyModule.IssuedApiKey'
            (Get-ApiKey -StorePath $store).Name | Should -Be @('renamed-without-terminal', 'no-terminal')
            Get-EditorOpenCount $plan | Should -Be 0
        }

        It 'writes -Template' {
            $run = Invoke-WithoutTerminal -Folder $TestDrive -Command "Edit-ApiKey -StorePath $(ConvertTo-PSLiteral $store) -Id $($key.Id) -Template" -Environment $editor -Stdin Pipe -PwshArguments '-NonInteractive'
            $run.Exited | Should -BeTrue
            $run.Result.Output[0].Text | Should -Match '(?m)^name: "existing"$'
        }
    }
}
