# Help: Get-Help gives every cmdlet a synopsis, a description, a description of every parameter and examples that
# parse; the about topic is there; and the markdown sources (src/ApiKeyModule/help) agree with the cmdlets.
# The help is built by src/ApiKeyModule/help/Build-Help.ps1 into <module>/en-US.
BeforeDiscovery {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    $cmdlets = @(Get-Command -Module ApiKeyModule -CommandType Cmdlet | Sort-Object Name | ForEach-Object { @{ Command = $_.Name } })
}

BeforeAll {
    Import-Module $env:APIKEYMODULE_TEST_MODULE -Force
    $helpSource = Join-Path $PSScriptRoot '../../src/ApiKeyModule/help'
    # -WhatIf and -Confirm count as common parameters here: the generator documents them.
    $commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    function Get-Text($value) {
        (@($value | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join "`n").Trim()
    }

    function Get-ParameterHelp($help, [string] $name) {
        @($help.parameters.parameter | Where-Object name -eq $name)
    }

    # The facts a parameter's yaml block must give, computed from the cmdlet as the generator does it.
    function Get-ParameterFacts([System.Management.Automation.CommandInfo] $command, [string] $name) {
        $sets = @($command.ParameterSets | Sort-Object { -not $_.IsDefault })
        $occurrences = @(foreach ($set in $sets) {
                foreach ($parameter in $set.Parameters | Where-Object Name -eq $name) { [pscustomobject]@{ Set = $set.Name; Parameter = $parameter } }
            })
        $perSet = {
            param([scriptblock] $format)
            $groups = [ordered]@{}
            foreach ($occurrence in $occurrences) {
                $value = & $format $occurrence.Parameter
                if (-not $groups.Contains($value)) { $groups[$value] = @() }
                $groups[$value] += $occurrence.Set
            }
            if ($groups.Count -eq 1) { @($groups.Keys)[0] } else { (@($groups.Keys) | ForEach-Object { "$_ in $($groups[$_] -join ', ')" }) -join '; ' }
        }
        $metadata = $command.Parameters[$name]
        $allSets = @($command.ParameterSets).Count
        [ordered]@{
            'Type'                       = $metadata.ParameterType.Name
            'Parameter Sets'             = if ($occurrences.Count -eq $allSets) { '(All)' } else { @($occurrences | ForEach-Object Set) -join ', ' }
            'Aliases'                    = if ($metadata.Aliases.Count) { $metadata.Aliases -join ', ' } else { 'None' }
            'Required'                   = & $perSet { param($p) if ($p.IsMandatory) { 'True' } else { 'False' } }
            'Position'                   = & $perSet { param($p) if ($p.Position -lt 0) { 'Named' } else { [string]$p.Position } }
            'Accept pipeline input'      = & $perSet {
                param($p)
                $ways = @(if ($p.ValueFromPipeline) { 'ByValue' }) + @(if ($p.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
                if ($ways.Count) { "True ($($ways -join ', '))" } else { 'False' }
            }
            'Accept wildcard characters' = [string][bool]@($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count
        }
    }

    # The facts of each '### -Name' section's yaml block in a cmdlet's markdown.
    function Read-MarkdownFacts([string] $path) {
        $facts = @{}
        $current = $null
        $inYaml = $false
        foreach ($line in Get-Content -LiteralPath $path) {
            if ($line -match '^### -(\w+)\s*$') { $current = $Matches[1]; $facts[$current] = [ordered]@{}; continue }
            if ($line -match '^## ') { $current = $null; continue }
            if ($line -match '^```yaml\s*$') { $inYaml = $true; continue }
            if ($line -match '^```\s*$') { $inYaml = $false; continue }
            if ($inYaml -and $current -and $line -match '^([^:]+):\s*(.*?)\s*$') { $facts[$current][$Matches[1].Trim()] = $Matches[2] }
        }
        $facts
    }
}

Describe 'Help files' -Tag Once {
    It 'the module ships its MAML help and the about topic in en-US' {
        $base = (Get-Module ApiKeyModule).ModuleBase
        Join-Path $base 'en-US/ApiKeyModule.dll-Help.xml' | Should -Exist -Because 'build.ps1 runs src/ApiKeyModule/help/Build-Help.ps1'
        Join-Path $base 'en-US/about_ApiKeyModule.help.txt' | Should -Exist
    }

    It 'the MAML help is well-formed XML in the MAML schema' {
        $xml = [xml](Get-Content -LiteralPath (Join-Path (Get-Module ApiKeyModule).ModuleBase 'en-US/ApiKeyModule.dll-Help.xml') -Raw)
        $xml.DocumentElement.LocalName | Should -Be 'helpItems'
        $xml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $xml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
    }

    It 'every cmdlet in the manifest (CmdletsToExport) has a markdown source' {
        $manifest = Import-PowerShellDataFile -Path $env:APIKEYMODULE_TEST_MODULE
        foreach ($name in $manifest.CmdletsToExport) {
            Join-Path $helpSource "$name.md" | Should -Exist
        }
    }
}

Describe 'Get-Help <Command>' -Tag Once -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Command -Full
        $info = Get-Command $Command
    }

    It 'has a synopsis of its own (not the syntax Get-Help makes up without help)' {
        $synopsis = Get-Text $help.Synopsis
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -BeLike "$Command*"
        $synopsis | Should -Be (Get-Text $help.details.description)
    }

    It 'has a description' {
        Get-Text $help.description | Should -Not -BeNullOrEmpty
    }

    It 'has a syntax for each parameter set' {
        @($help.syntax.syntaxItem).Count | Should -Be @($info.ParameterSets).Count
    }

    It 'describes every parameter it shows' {
        foreach ($parameter in $help.parameters.parameter) {
            Get-Text $parameter.description | Should -Not -BeNullOrEmpty -Because "-$($parameter.name) needs a description"
        }
    }

    It 'documents every parameter of the cmdlet, with its type' {
        $names = @($info.Parameters.Keys | Where-Object { $_ -notin $commonParameters })
        $names | Should -Not -BeNullOrEmpty
        foreach ($name in $names) {
            $documented = Get-ParameterHelp $help $name
            $documented.Count | Should -Be 1 -Because "-$name of $Command needs a '### -$name' section in $Command.md"
            Get-Text $documented[0].description | Should -Not -BeNullOrEmpty -Because "-$name of $Command needs a description"
            $documented[0].type.name | Should -Be $info.Parameters[$name].ParameterType.FullName
        }
    }

    It 'has at least two examples, each with code that parses and a remark' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty -Because "$($example.title) needs code"
            $tokens = $null
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($example.code, [ref]$tokens, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because "the code of '$($example.title)' must parse"
            Get-Text $example.remarks | Should -Not -BeNullOrEmpty -Because "$($example.title) needs a remark"
        }
    }

    It 'the examples call the cmdlet' {
        (@($help.examples.example).code -join "`n") | Should -Match ([regex]::Escape($Command) + '\b')
    }

    It 'names its inputs and outputs, and links to the about topic' {
        @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        @($help.returnValues.returnValue).Count | Should -BeGreaterThan 0
        @($help.relatedLinks.navigationLink.linkText) | Should -Contain 'about_ApiKeyModule'
    }

    It 'the parameter facts in <Command>.md match the cmdlet' {
        $path = Join-Path $helpSource "$Command.md"
        $markdown = Read-MarkdownFacts $path
        foreach ($name in $info.Parameters.Keys | Where-Object { $_ -notin $commonParameters }) {
            $markdown.ContainsKey($name) | Should -BeTrue -Because "$Command.md needs '### -$name'"
            $expected = Get-ParameterFacts $info $name
            foreach ($fact in $expected.Keys) {
                $markdown[$name][$fact] | Should -Be $expected[$fact] -Because "'$fact' of -$name in $Command.md"
            }
            $markdown[$name]['Default value'] | Should -Not -BeNullOrEmpty -Because "-$name in $Command.md needs a 'Default value'"
        }
        foreach ($name in $markdown.Keys) {
            $info.Parameters.Keys | Should -Contain $name -Because "$Command.md documents -$name"
        }
    }

    It 'Get-Help -Examples shows the examples' {
        $text = Get-Help $Command -Examples | Out-String -Width 200
        $text | Should -Match 'Example 1:'
        $text | Should -Match 'Example 2:'
    }
}

Describe 'The TrueNAS CLI examples' -Tag Once {
    It '<Command> has the example for "<TrueNAS>"' -ForEach @(
        @{ Command = 'New-ApiKey'; TrueNAS = 'auth api_key create name=apikey1'; PowerShell = 'New-ApiKey -Name apikey1' }
        @{ Command = 'New-ApiKey'; TrueNAS = 'auth api_key create name=apikey2 allowlist=[{"method":"SUBSCRIBE","resource":"certificate.query"}]'
            PowerShell = "New-ApiKey -Name apikey2 -Allowlist '[{`"method`":`"SUBSCRIBE`",`"resource`":`"certificate.query`"}]'" }
        @{ Command = 'Get-ApiKey'; TrueNAS = 'auth api_key query'; PowerShell = 'Get-ApiKey' }
        @{ Command = 'Get-ApiKey'; TrueNAS = 'auth api_key get_instance id=2'; PowerShell = 'Get-ApiKey -Id 2 | Format-List' }
        @{ Command = 'Set-ApiKey'; TrueNAS = 'auth api_key update id=2 name=apikey3 allowlist=[{"method":"SUBSCRIBE","resource":"certificate.query"}] reset=true'
            PowerShell = "Set-ApiKey -Id 2 -Name apikey3 -Allowlist '[{`"method`":`"SUBSCRIBE`",`"resource`":`"certificate.query`"}]' -Reset" }
        @{ Command = 'Remove-ApiKey'; TrueNAS = 'auth api_key delete id=1'; PowerShell = 'Remove-ApiKey -Id 1' }
    ) {
        $codes = @((Get-Help $Command -Examples).examples.example.code)
        $matching = @($codes | Where-Object { ($_ -split "`r?`n") -contains "# $TrueNAS" })
        $matching.Count | Should -Be 1 -Because "one example of $Command shows '# $TrueNAS' in a comment"
        ($matching[0] -split "`r?`n") | Should -Contain $PowerShell
    }
}

Describe 'about_ApiKeyModule' -Tag Once {
    BeforeAll {
        $about = Get-Help about_ApiKeyModule | Out-String
    }

    It 'Get-Help about_ApiKeyModule returns the topic' {
        $about | Should -Match 'about_ApiKeyModule'
        $about | Should -Match 'SHORT DESCRIPTION'
        $about.Length | Should -BeGreaterThan 2000
    }

    It 'covers <Topic>' -ForEach @(
        @{ Topic = 'the environment variable'; Pattern = 'APIKEYMODULE_STORE' }
        @{ Topic = 'the default store on Windows'; Pattern = '%LOCALAPPDATA%\\ApiKeyModule\\apikeys\.db' }
        @{ Topic = 'the default store elsewhere'; Pattern = 'XDG_DATA_HOME' }
        @{ Topic = '-StorePath and $PSDefaultParameterValues'; Pattern = "PSDefaultParameterValues\['\*-ApiKey\*:StorePath'\]" }
        @{ Topic = 'sharing: WAL'; Pattern = 'WAL' }
        @{ Topic = 'sharing: the busy timeout'; Pattern = 'busy timeout' }
        @{ Topic = 'sharing: synchronous FULL'; Pattern = 'synchronous=FULL' }
        @{ Topic = 'the schema version'; Pattern = 'user_version' }
        @{ Topic = 'the key format'; Pattern = '<Id>-<secret>' }
        @{ Topic = 'allowlists as hashtables'; Pattern = 'hashtables' }
        @{ Topic = 'allowlists as YAML'; Pattern = 'YAML' }
        @{ Topic = 'allowlists as JSON'; Pattern = 'JSON' }
        @{ Topic = 'fnmatch matching'; Pattern = 'fnmatch' }
        @{ Topic = 'the empty allowlist'; Pattern = 'empty allowlist (grants|allows) nothing' }
        @{ Topic = 'verification codes'; Pattern = 'Forbidden' }
        @{ Topic = 'revocation and reset'; Pattern = 'Revoke-ApiKey' }
        @{ Topic = 'the audit log'; Pattern = 'Get-ApiKeyAuditLog' }
        @{ Topic = 'hashing'; Pattern = 'SHA-256' }
        @{ Topic = 'file permissions'; Pattern = '0600' }
        @{ Topic = 'safe YAML'; Pattern = 'read safely' }
    ) {
        $about | Should -Match $Pattern
    }

    It 'every code block in the topic parses' {
        $source = Get-Content -LiteralPath (Join-Path $helpSource 'about_ApiKeyModule.md') -Raw
        $blocks = [regex]::Matches($source, '(?ms)^```powershell\s*\n(.*?)^```')
        $blocks.Count | Should -BeGreaterThan 0
        foreach ($block in $blocks) {
            $tokens = $null
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($block.Groups[1].Value, [ref]$tokens, [ref]$errors)
            $errors | Should -BeNullOrEmpty
        }
    }
}
