<#
.SYNOPSIS
    Builds the module's help from its markdown sources: <OutputPath>/en-US/ApiKeyModule.dll-Help.xml (MAML, what
    Get-Help reads for binary cmdlets) and <OutputPath>/en-US/about_ApiKeyModule.help.txt.
.DESCRIPTION
    The help text comes from <SourcePath>/<Cmdlet>.md (one file per cmdlet, in the structure described in
    <SourcePath>/README.md) and <SourcePath>/about_ApiKeyModule.md.

    What can be read from the cmdlets themselves is: the syntax (one syntax item per parameter set) and each
    parameter's type, parameter sets, aliases, whether it is required, its position, pipeline input and wildcard
    support come from the built module's cmdlet metadata, read in a child pwsh that imports <OutputPath> (so this
    process never loads the module's assemblies and the build can go on to replace them). The markdown gives
    the words: synopsis, description, examples, parameter descriptions and default values, inputs, outputs, notes
    and links. Where the markdown's parameter facts disagree with the metadata, a warning says so (the metadata
    wins); a cmdlet or parameter without help is a warning too (tests/Pester/Help.Tests.ps1 fails on it).

    Needs only PowerShell 7 (no platyPS).
.PARAMETER SourcePath
    The folder of the markdown sources (src/ApiKeyModule/help).
.PARAMETER OutputPath
    The laid-out module folder (out/ApiKeyModule), holding ApiKeyModule.psd1. en-US is created in it.
.EXAMPLE
    ./src/ApiKeyModule/help/Build-Help.ps1 -SourcePath src/ApiKeyModule/help -OutputPath out/ApiKeyModule
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $ModuleName = 'ApiKeyModule'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$SourcePath = (Resolve-Path -LiteralPath $SourcePath).ProviderPath
$OutputPath = (Resolve-Path -LiteralPath $OutputPath).ProviderPath
$manifest = Join-Path $OutputPath "$ModuleName.psd1"
if (-not (Test-Path -LiteralPath $manifest)) { throw "No module manifest at '$manifest'. Build the module first." }
$helpFolder = Join-Path $OutputPath 'en-US'

# WhatIf and Confirm are not in PSCmdlet.CommonParameters; they are documented here, not in each markdown file.
$shouldProcessHelp = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run: nothing in the store is changed.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region Cmdlet metadata (from a child pwsh)

. (Join-Path $PSScriptRoot '../../build/PwshCommand.ps1')

function Get-CmdletMetadata([string] $ManifestPath) {
    $jsonPath = Join-Path ([IO.Path]::GetTempPath()) "apikeymodule-help-$([guid]::NewGuid().ToString('N')).json"
    $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }
    $script = @"
`$ErrorActionPreference = 'Stop'
`$module = Import-Module $(& $quote $ManifestPath) -PassThru
`$common = [System.Management.Automation.PSCmdlet]::CommonParameters
`$cmdlets = foreach (`$command in Get-Command -Module `$module.Name -CommandType Cmdlet | Sort-Object Name) {
    [ordered]@{
        Name = `$command.Name
        Verb = `$command.Verb
        Noun = `$command.Noun
        ParameterSets = @(foreach (`$set in `$command.ParameterSets) {
            [ordered]@{
                Name = `$set.Name
                IsDefault = `$set.IsDefault
                Parameters = @(foreach (`$parameter in `$set.Parameters) {
                    if (`$common -contains `$parameter.Name) { continue }
                    `$type = `$parameter.ParameterType
                    [ordered]@{
                        Name = `$parameter.Name
                        TypeName = `$type.Name
                        TypeFullName = `$type.FullName
                        IsSwitch = `$type -eq [System.Management.Automation.SwitchParameter]
                        IsArray = `$type.IsArray
                        IsMandatory = `$parameter.IsMandatory
                        Position = `$parameter.Position
                        ValueFromPipeline = `$parameter.ValueFromPipeline
                        ValueFromPipelineByPropertyName = `$parameter.ValueFromPipelineByPropertyName
                        ValueFromRemainingArguments = `$parameter.ValueFromRemainingArguments
                        Aliases = @(`$parameter.Aliases)
                        Wildcards = @(`$command.Parameters[`$parameter.Name].Attributes |
                            Where-Object { `$_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
                    }
                })
            }
        })
    }
}
`$json = ConvertTo-Json -InputObject @(`$cmdlets) -Depth 10
[IO.File]::WriteAllText($(& $quote $jsonPath), `$json, [Text.UTF8Encoding]::new(`$false))
"@
    $pwsh = Get-PwshCommand
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand',
        [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script)))
    try {
        $output = & $pwsh[0] @arguments 2>&1
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $jsonPath)) {
            throw "Reading the cmdlets of '$ManifestPath' in a child pwsh failed (exit code $LASTEXITCODE):`n$($output -join "`n")"
        }
        @(Get-Content -LiteralPath $jsonPath -Raw | ConvertFrom-Json)
    }
    finally {
        Remove-Item -LiteralPath $jsonPath -ErrorAction Ignore
    }
}

#endregion

#region Parameter facts, as the markdown writes them and as MAML carries them

function Format-Position($parameter) {
    if ($parameter.Position -lt 0) { 'Named' } else { [string]$parameter.Position }
}

function Format-PipelineInput($parameter) {
    $ways = @()
    if ($parameter.ValueFromPipeline) { $ways += 'ByValue' }
    if ($parameter.ValueFromPipelineByPropertyName) { $ways += 'ByPropertyName' }
    if ($ways.Count -eq 0) { 'False' } else { "True ($($ways -join ', '))" }
}

# One value when every parameter set agrees, else "<value> in <sets>; <value> in <sets>".
function Join-PerSet($occurrences, [scriptblock] $format) {
    $groups = [ordered]@{}
    foreach ($occurrence in $occurrences) {
        $value = & $format $occurrence.Parameter
        if (-not $groups.Contains($value)) { $groups[$value] = [System.Collections.Generic.List[string]]::new() }
        $groups[$value].Add($occurrence.Set)
    }
    if ($groups.Count -eq 1) { return @($groups.Keys)[0] }
    (@($groups.Keys) | ForEach-Object { "$_ in $($groups[$_] -join ', ')" }) -join '; '
}

# Every parameter of a cmdlet once (in the order of the default set, then the others), with where it appears.
function Get-ParameterSummary($cmdlet) {
    $sets = @($cmdlet.ParameterSets | Sort-Object { -not $_.IsDefault })
    $allSetNames = @($cmdlet.ParameterSets | ForEach-Object Name)
    $byName = [ordered]@{}
    foreach ($set in $sets) {
        foreach ($parameter in $set.Parameters) {
            if (-not $byName.Contains($parameter.Name)) { $byName[$parameter.Name] = [System.Collections.Generic.List[object]]::new() }
            $byName[$parameter.Name].Add([pscustomobject]@{ Set = $set.Name; Parameter = $parameter })
        }
    }
    foreach ($name in $byName.Keys) {
        $occurrences = $byName[$name]
        $first = $occurrences[0].Parameter
        $setNames = @($occurrences | ForEach-Object Set)
        [pscustomobject]@{
            Name          = $name
            Parameter     = $first
            Occurrences   = $occurrences
            Type          = $first.TypeName
            ParameterSets = if ($setNames.Count -eq $allSetNames.Count -or $allSetNames -eq '__AllParameterSets') { '(All)' } else { $setNames -join ', ' }
            Aliases       = if (@($first.Aliases).Count) { @($first.Aliases) -join ', ' } else { 'None' }
            Required      = Join-PerSet $occurrences { param($p) if ($p.IsMandatory) { 'True' } else { 'False' } }
            AllRequired   = @($occurrences | Where-Object { -not $_.Parameter.IsMandatory }).Count -eq 0
            Position      = Join-PerSet $occurrences { param($p) Format-Position $p }
            PipelineInput = Join-PerSet $occurrences { param($p) Format-PipelineInput $p }
            Wildcards     = if ($first.Wildcards) { 'True' } else { 'False' }
        }
    }
}

#endregion

#region Markdown

# Inline markdown to plain text: `code` -> code, **strong** -> strong, [text](x.md) -> text, [text](http..) -> text (url).
function ConvertFrom-InlineMarkdown([string] $text) {
    $text = [regex]::Replace($text, '\[([^\]]+)\]\((https?://[^)]+)\)', '$1 ($2)')
    $text = [regex]::Replace($text, '\[([^\]]+)\]\(([^)]*)\)', '$1')
    $text = [regex]::Replace($text, '\*\*([^*]+)\*\*', '$1')
    [regex]::Replace($text, '`([^`]+)`', '$1')
}

# Splits markdown lines into blocks: @{ Kind = 'Para' | 'Item' | 'Code'; Text; Language }.
function Split-Blocks([string[]] $lines) {
    $blocks = [System.Collections.Generic.List[object]]::new()
    $current = $null
    $inCode = $false
    $code = $null
    foreach ($line in $lines) {
        if ($inCode) {
            if ($line -match '^\s*```\s*$') {
                $blocks.Add([pscustomobject]@{ Kind = 'Code'; Text = ($code.Lines -join "`n"); Language = $code.Language })
                $inCode = $false
            }
            else { $code.Lines.Add($line) }
            continue
        }
        if ($line -match '^\s*```\s*([\w-]*)\s*$') {
            $current = $null
            $inCode = $true
            $code = @{ Lines = [System.Collections.Generic.List[string]]::new(); Language = $Matches[1] }
            continue
        }
        if ($line -match '^\s*$') { $current = $null; continue }
        if ($line -match '^\s{0,3}[-*]\s+(.*)$') {
            $current = [pscustomobject]@{ Kind = 'Item'; Text = $Matches[1].Trim(); Language = $null }
            $blocks.Add($current)
            continue
        }
        if ($null -ne $current) { $current.Text += ' ' + $line.Trim(); continue }
        $current = [pscustomobject]@{ Kind = 'Para'; Text = $line.Trim(); Language = $null }
        $blocks.Add($current)
    }
    if ($inCode) { throw 'A code block is not closed (```).' }
    $blocks.ToArray()
}

# Splits lines on headings of one level (outside code blocks): ordered @{ heading = lines }, plus '' for text before.
function Split-Sections([string[]] $lines, [int] $level) {
    $prefix = ('#' * $level) + ' '
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Heading = ''; Lines = [System.Collections.Generic.List[string]]::new() }
    $sections.Add($current)
    $inCode = $false
    foreach ($line in $lines) {
        if ($line -match '^\s*```') { $inCode = -not $inCode }
        if (-not $inCode -and $line.StartsWith($prefix)) {
            $current = [pscustomobject]@{ Heading = $line.Substring($prefix.Length).Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            $sections.Add($current)
            continue
        }
        $current.Lines.Add($line)
    }
    $sections.ToArray()
}

# Paragraph texts of blocks, as MAML paragraphs: list items as "- item", code verbatim (indented by 4).
function ConvertTo-Paragraphs($blocks) {
    foreach ($block in $blocks) {
        switch ($block.Kind) {
            'Para' { ConvertFrom-InlineMarkdown $block.Text }
            'Item' { '- ' + (ConvertFrom-InlineMarkdown $block.Text) }
            'Code' { ($block.Text -split "`n" | ForEach-Object { "    $_" }) -join "`n" }
        }
    }
}

function Read-CmdletMarkdown([string] $path) {
    $lines = [IO.File]::ReadAllLines($path)
    $top = @(Split-Sections $lines 1)
    $named = @($top | Where-Object Heading)
    if ($named.Count -ne 1) { throw "$path must have exactly one '# <Cmdlet>' heading." }
    $help = [ordered]@{
        Name = $named[0].Heading; Synopsis = @(); Description = @(); Examples = @(); Parameters = [ordered]@{}
        Inputs = @(); Outputs = @(); Notes = @(); Links = @()
    }
    foreach ($section in Split-Sections $named[0].Lines.ToArray() 2) {
        $body = $section.Lines.ToArray()
        switch ($section.Heading) {
            '' { }
            'SYNOPSIS' { $help.Synopsis = @(ConvertTo-Paragraphs (Split-Blocks $body)) }
            'SYNTAX' { }  # written from the cmdlet metadata
            'DESCRIPTION' { $help.Description = @(ConvertTo-Paragraphs (Split-Blocks $body)) }
            'EXAMPLES' {
                $help.Examples = @(foreach ($example in Split-Sections $body 3 | Where-Object Heading) {
                        $blocks = @(Split-Blocks $example.Lines.ToArray())
                        $code = @($blocks | Where-Object Kind -eq 'Code')
                        if ($code.Count -ne 1) { throw "$path, example '$($example.Heading)': give exactly one code block (found $($code.Count))." }
                        [pscustomobject]@{
                            Title   = ConvertFrom-InlineMarkdown $example.Heading
                            Code    = $code[0].Text
                            Remarks = @(ConvertTo-Paragraphs ($blocks | Where-Object { $_ -ne $code[0] }))
                        }
                    })
            }
            'PARAMETERS' {
                foreach ($parameter in Split-Sections $body 3 | Where-Object Heading) {
                    if ($parameter.Heading -notmatch '^-(\w+)$') { throw "$path, parameter heading '$($parameter.Heading)': write it as '### -Name'." }
                    $parameterName = $Matches[1]
                    $blocks = @(Split-Blocks $parameter.Lines.ToArray())
                    $facts = [ordered]@{}
                    foreach ($yaml in $blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' }) {
                        foreach ($factLine in $yaml.Text -split "`n") {
                            if ($factLine -match '^\s*([^:]+):\s*(.*?)\s*$') { $facts[$Matches[1].Trim()] = $Matches[2] }
                        }
                    }
                    $help.Parameters[$parameterName] = [pscustomobject]@{
                        Description = @(ConvertTo-Paragraphs ($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Language -eq 'yaml') }))
                        Facts       = $facts
                    }
                }
            }
            { $_ -in 'INPUTS', 'OUTPUTS' } {
                $types = @(foreach ($type in Split-Sections $body 3 | Where-Object Heading) {
                        [pscustomobject]@{ Type = ConvertFrom-InlineMarkdown $type.Heading; Description = @(ConvertTo-Paragraphs (Split-Blocks $type.Lines.ToArray())) }
                    })
                if ($section.Heading -eq 'INPUTS') { $help.Inputs = $types } else { $help.Outputs = $types }
            }
            'NOTES' { $help.Notes = @(ConvertTo-Paragraphs (Split-Blocks $body)) }
            'RELATED LINKS' {
                $help.Links = @(foreach ($block in Split-Blocks $body) {
                        if ($block.Text -match '^\[([^\]]+)\]\(([^)]*)\)$') {
                            [pscustomobject]@{ Text = $Matches[1]; Uri = if ($Matches[2] -match '^https?://') { $Matches[2] } else { '' } }
                        }
                        else { [pscustomobject]@{ Text = ConvertFrom-InlineMarkdown $block.Text; Uri = '' } }
                    })
            }
            default { Write-Warning "$path has an unknown section '## $($section.Heading)'; it is left out." }
        }
    }
    [pscustomobject]$help
}

#endregion

#region MAML

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    msh     = 'http://msh'
}

function Write-Paragraphs([System.Xml.XmlWriter] $w, [string[]] $paragraphs) {
    foreach ($paragraph in $paragraphs) { $w.WriteElementString('para', $ns.maml, $paragraph) }
}

function Write-Description([System.Xml.XmlWriter] $w, [string] $prefix, [string] $namespace, [string[]] $paragraphs) {
    $w.WriteStartElement($prefix, 'description', $namespace)
    Write-Paragraphs $w $paragraphs
    $w.WriteEndElement()
}

function Write-Type([System.Xml.XmlWriter] $w, [string] $name) {
    $w.WriteStartElement('dev', 'type', $ns.dev)
    $w.WriteElementString('name', $ns.maml, $name)
    $w.WriteElementString('uri', $ns.maml, '')
    $w.WriteEndElement()
}

# One <command:parameter>: in a syntax item ($occurrence: that set's metadata) or in the parameter list ($summary).
function Write-Parameter([System.Xml.XmlWriter] $w, $summary, [string[]] $description, [string] $default, $occurrence) {
    $p = $summary.Parameter
    $w.WriteStartElement('command', 'parameter', $ns.command)
    if ($occurrence) {
        $w.WriteAttributeString('required', $(if ($occurrence.IsMandatory) { 'true' } else { 'false' }))
        $position = Format-Position $occurrence
        $pipeline = Format-PipelineInput $occurrence
    }
    else {
        $w.WriteAttributeString('required', $(if ($summary.AllRequired) { 'true' } else { 'false' }))
        $position = $summary.Position
        $pipeline = $summary.PipelineInput
    }
    $w.WriteAttributeString('variableLength', $(if ($p.IsArray) { 'true' } else { 'false' }))
    $w.WriteAttributeString('globbing', $summary.Wildcards.ToLowerInvariant())
    $w.WriteAttributeString('pipelineInput', $pipeline)
    $w.WriteAttributeString('position', $(if ($position -eq 'Named') { 'named' } else { $position }))
    $w.WriteAttributeString('aliases', $(if ($summary.Aliases -eq 'None') { 'none' } else { $summary.Aliases }))
    $w.WriteElementString('name', $ns.maml, $summary.Name)
    Write-Description $w 'maml' $ns.maml $description
    if (-not $p.IsSwitch) {
        $w.WriteStartElement('command', 'parameterValue', $ns.command)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', $(if ($p.IsArray) { 'true' } else { 'false' }))
        $w.WriteString($p.TypeName)
        $w.WriteEndElement()
    }
    Write-Type $w $p.TypeFullName
    $w.WriteElementString('defaultValue', $ns.dev, $default)
    $w.WriteEndElement()
}

function Write-Command([System.Xml.XmlWriter] $w, $cmdlet, $help) {
    $summaries = @(Get-ParameterSummary $cmdlet)
    $byName = @{}
    foreach ($summary in $summaries) { $byName[$summary.Name] = $summary }

    # Descriptions and defaults: the markdown's, WhatIf/Confirm's built in.
    $descriptions = @{}
    $defaults = @{}
    foreach ($summary in $summaries) {
        $doc = if ($help.Parameters.Contains($summary.Name)) { $help.Parameters[$summary.Name] } else { $null }
        if ($doc) {
            $descriptions[$summary.Name] = [string[]]$doc.Description
            $defaults[$summary.Name] = if ($doc.Facts.Contains('Default value')) { $doc.Facts['Default value'] } else { 'None' }
            foreach ($fact in 'Type', 'Parameter Sets', 'Aliases', 'Required', 'Position', 'Accept pipeline input', 'Accept wildcard characters') {
                $actual = switch ($fact) {
                    'Type' { $summary.Type } 'Parameter Sets' { $summary.ParameterSets } 'Aliases' { $summary.Aliases }
                    'Required' { $summary.Required } 'Position' { $summary.Position }
                    'Accept pipeline input' { $summary.PipelineInput } 'Accept wildcard characters' { $summary.Wildcards }
                }
                if (-not $doc.Facts.Contains($fact)) { Write-Warning "$($cmdlet.Name) -$($summary.Name): the help gives no '$fact' (it is '$actual')." }
                elseif ($doc.Facts[$fact] -ne $actual) { Write-Warning "$($cmdlet.Name) -$($summary.Name): the help says $fact is '$($doc.Facts[$fact])', the cmdlet says '$actual'." }
            }
        }
        elseif ($shouldProcessHelp.ContainsKey($summary.Name)) {
            $descriptions[$summary.Name] = [string[]]@($shouldProcessHelp[$summary.Name])
            $defaults[$summary.Name] = 'False'
        }
        else {
            Write-Warning "$($cmdlet.Name) -$($summary.Name) has no help: add '### -$($summary.Name)' to $($cmdlet.Name).md."
            $descriptions[$summary.Name] = [string[]]@()
            $defaults[$summary.Name] = 'None'
        }
    }
    foreach ($name in $help.Parameters.Keys) {
        if (-not $byName.ContainsKey($name)) { Write-Warning "$($cmdlet.Name).md documents -$name, which the cmdlet does not have; it is left out." }
    }

    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $w.WriteAttributeString('xmlns', 'command', $null, $ns.command)
    $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('name', $ns.command, $cmdlet.Name)
    $w.WriteElementString('verb', $ns.command, $cmdlet.Verb)
    $w.WriteElementString('noun', $ns.command, $cmdlet.Noun)
    Write-Description $w 'maml' $ns.maml $help.Synopsis
    $w.WriteEndElement()

    Write-Description $w 'maml' $ns.maml $help.Description

    # Syntax: one item per parameter set, the default first; positional parameters by position, then the
    # mandatory named ones, then the rest in the cmdlet's order, WhatIf and Confirm last.
    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in @($cmdlet.ParameterSets | Sort-Object { -not $_.IsDefault })) {
        $ordered = @($set.Parameters | ForEach-Object -Begin { $i = 0 } -Process {
                $group = if ($_.Name -in 'WhatIf', 'Confirm') { 3 } elseif ($_.Position -ge 0) { 0 } elseif ($_.IsMandatory) { 1 } else { 2 }
                [pscustomobject]@{ Parameter = $_; Group = $group; Position = $_.Position; Index = $i++ }
            } | Sort-Object Group, Position, Index | ForEach-Object Parameter)
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('name', $ns.maml, $cmdlet.Name)
        foreach ($parameter in $ordered) {
            Write-Parameter $w $byName[$parameter.Name] $descriptions[$parameter.Name] $defaults[$parameter.Name] $parameter
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # Parameters: in the markdown's order, then any it lacks, WhatIf and Confirm last.
    $documentedOrder = @($help.Parameters.Keys)
    $listed = @($summaries | Sort-Object @{ Expression = {
                $index = [array]::IndexOf($documentedOrder, $_.Name)
                if ($_.Name -in 'WhatIf', 'Confirm') { 100000 } elseif ($index -ge 0) { $index } else { 50000 }
            }
        }, @{ Expression = { [array]::IndexOf(@($summaries.Name), $_.Name) } })
    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($summary in $listed) {
        Write-Parameter $w $summary $descriptions[$summary.Name] $defaults[$summary.Name] $null
    }
    $w.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $help.Inputs), @('returnValues', 'returnValue', $help.Outputs))) {
        $w.WriteStartElement('command', $kind[0], $ns.command)
        foreach ($type in $kind[2]) {
            $w.WriteStartElement('command', $kind[1], $ns.command)
            Write-Type $w $type.Type
            Write-Description $w 'maml' $ns.maml $type.Description
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    $w.WriteStartElement('maml', 'alertSet', $ns.maml)
    $w.WriteStartElement('maml', 'alert', $ns.maml)
    Write-Paragraphs $w $help.Notes
    $w.WriteEndElement()
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $ns.command)
    $number = 0
    foreach ($example in $help.Examples) {
        $number++
        $title = $example.Title
        if ($title -notmatch '^Example \d+') { $title = "Example ${number}: $title" }
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('title', $ns.maml, "--------- $title ---------")
        $w.WriteElementString('code', $ns.dev, $example.Code)
        $w.WriteStartElement('dev', 'remarks', $ns.dev)
        # The empty paragraph leaves a blank line before the next example's title.
        Write-Paragraphs $w (@($example.Remarks) + '')
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in $help.Links) {
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $w.WriteElementString('linkText', $ns.maml, $link.Text)
        $w.WriteElementString('uri', $ns.maml, $link.Uri)
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteEndElement()  # command:command
}

#endregion

#region about topic

# Word-wraps $text to $width columns, the first line indented by $first, the others by $rest.
function Format-Wrapped([string] $text, [int] $first, [int] $rest, [int] $width = 80) {
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = ' ' * $first
    $empty = $true
    foreach ($word in $text -split '\s+' | Where-Object { $_ }) {
        if (-not $empty -and $line.Length + 1 + $word.Length -gt $width) {
            $lines.Add($line)
            $line = (' ' * $rest) + $word
        }
        else {
            $line += $(if ($empty) { '' } else { ' ' }) + $word
        }
        $empty = $false
    }
    $lines.Add($line)
    $lines -join "`n"
}

# '# about_X' -> TOPIC; '## Heading' -> HEADING (column 0); '### Heading' -> Heading (column 2);
# paragraphs wrapped at 80 and indented by 4; list items by 4 with a hanging indent; code verbatim, indented by 8.
function ConvertTo-AboutText([string] $path) {
    $lines = [IO.File]::ReadAllLines($path)
    $out = [System.Collections.Generic.List[string]]::new()
    $top = @(Split-Sections $lines 1)
    $named = @($top | Where-Object Heading)
    if ($named.Count -ne 1) { throw "$path must have exactly one '# about_<Name>' heading." }
    $out.Add('TOPIC')
    $out.Add('    ' + $named[0].Heading)
    $afterHeading = $true
    foreach ($section in Split-Sections $named[0].Lines.ToArray() 2) {
        if ($section.Heading) { $out.Add(''); $out.Add($section.Heading.ToUpperInvariant()); $afterHeading = $true }
        foreach ($sub in Split-Sections $section.Lines.ToArray() 3) {
            if ($sub.Heading) { $out.Add(''); $out.Add('  ' + (ConvertFrom-InlineMarkdown $sub.Heading)); $afterHeading = $true }
            foreach ($block in Split-Blocks $sub.Lines.ToArray()) {
                if (-not $afterHeading) { $out.Add('') }
                $afterHeading = $false
                switch ($block.Kind) {
                    'Para' { $out.Add((Format-Wrapped (ConvertFrom-InlineMarkdown $block.Text) 4 4)) }
                    'Item' { $out.Add((Format-Wrapped ('- ' + (ConvertFrom-InlineMarkdown $block.Text)) 4 6)) }
                    'Code' { foreach ($codeLine in $block.Text -split "`n") { $out.Add(('        ' + $codeLine).TrimEnd()) } }
                }
            }
        }
    }
    # Adjacent list items read better without a blank line between them.
    ($out -join "`n") -replace '(?m)(^    - .*(?:\n      .*)*)\n\n(?=    - )', "`$1`n"
}

#endregion

$cmdlets = @(Get-CmdletMetadata $manifest)
if ($cmdlets.Count -eq 0) { throw "The module at '$manifest' exports no cmdlets." }

$docs = @{}
foreach ($file in Get-ChildItem -LiteralPath $SourcePath -Filter '*.md' | Where-Object { $_.Name -notlike 'about_*' -and $_.Name -ne 'README.md' }) {
    $help = Read-CmdletMarkdown $file.FullName
    if ($help.Name -ne $file.BaseName) { throw "$($file.FullName) is headed '# $($help.Name)'; the file name must be the cmdlet's." }
    $docs[$help.Name] = $help
}
foreach ($name in $docs.Keys) {
    if ($name -notin $cmdlets.Name) { Write-Warning "$name.md documents a cmdlet that the module does not export; it is left out." }
}

New-Item -ItemType Directory -Path $helpFolder -Force | Out-Null
$mamlPath = Join-Path $helpFolder "$ModuleName.dll-Help.xml"
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.NewLineChars = "`n"
$settings.Encoding = [Text.UTF8Encoding]::new($false)
$writer = [System.Xml.XmlWriter]::Create($mamlPath, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', $ns.msh)
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($cmdlet in $cmdlets) {
        if (-not $docs.ContainsKey($cmdlet.Name)) {
            Write-Warning "$($cmdlet.Name) has no help: add $($cmdlet.Name).md to $SourcePath."
            continue
        }
        Write-Command $writer $cmdlet $docs[$cmdlet.Name]
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
Write-Verbose "Wrote $mamlPath"

foreach ($about in Get-ChildItem -LiteralPath $SourcePath -Filter 'about_*.md') {
    $target = Join-Path $helpFolder "$($about.BaseName).help.txt"
    [IO.File]::WriteAllText($target, (ConvertTo-AboutText $about.FullName) + "`n", [Text.UTF8Encoding]::new($false))
    Write-Verbose "Wrote $target"
}
Write-Host "Help written to $helpFolder"
