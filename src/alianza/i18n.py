"""Fixed words of the manuscript outputs in Spanish and English.

Everything about the instrument (construct names, item wording, category labels)
comes from the codebook; what lives here is the vocabulary of the tables and
figures themselves: titles, column headers, notes. Statistical symbols follow
APA 7 (italic Latin letters, upright Greek letters): in these strings `<i>x</i>`
marks italics, which each writer turns into its own markup.
"""
from __future__ import annotations

LANGUAGES = ("es", "en")

STRINGS: dict[str, dict[str, str]] = {
    # table furniture
    "table": {"es": "Tabla", "en": "Table"},
    "tables": {"es": "Tablas", "en": "Tables"},
    "figure": {"es": "Figura", "en": "Figure"},
    "note": {"es": "Nota.", "en": "Note."},
    "yes": {"es": "Sí", "en": "Yes"},
    "no": {"es": "No", "en": "No"},
    "missing": {"es": "Sin dato", "en": "Missing"},
    "total": {"es": "Total", "en": "Total"},
    "partial": {"es": "Parcial", "en": "Partial"},
    "continued": {"es": "Continúa en la página siguiente", "en": "Continued on next page"},
    "and": {"es": "y", "en": "and"},
    "or": {"es": "o", "en": "or"},
    # table titles: APA 7 title case in English; Spanish keeps sentence case (RAE)
    "title.sample_description": {"es": "Características de la muestra por ola", "en": "Sample Characteristics by Wave"},
    "title.data_quality": {"es": "Calidad de los datos por ola", "en": "Data Quality by Wave"},
    "title.item_descriptives": {"es": "Estadísticos descriptivos de los ítems", "en": "Item Descriptive Statistics"},
    "title.reliability": {"es": "Confiabilidad y validez convergente de los constructos",
                          "en": "Reliability and Convergent Validity of the Constructs"},
    "title.discriminant": {"es": "Validez discriminante: criterio de Fornell-Larcker y razón HTMT",
                           "en": "Discriminant Validity: Fornell-Larcker Criterion and HTMT Ratio"},
    "title.cfa_loadings": {"es": "Cargas factoriales del análisis factorial confirmatorio",
                           "en": "Factor Loadings of the Confirmatory Factor Analysis"},
    "title.fit_indices": {"es": "Índices de ajuste de los modelos", "en": "Fit Indices of the Models"},
    "title.hypotheses": {"es": "Contraste de hipótesis del modelo estructural",
                         "en": "Hypothesis Tests of the Structural Model"},
    "title.indirect_effects": {"es": "Efectos indirectos con intervalos de confianza bootstrap",
                               "en": "Indirect Effects With Bootstrap Confidence Intervals"},
    "title.effects": {"es": "Efectos directos, indirectos y totales con intervalos de confianza bootstrap",
                      "en": "Direct, Indirect and Total Effects With Bootstrap Confidence Intervals"},
    "title.model_comparison": {"es": "Comparación de modelos alternativos", "en": "Comparison of Alternative Models"},
    "title.invariance": {"es": "Invarianza de medición entre grupos ({group})",
                         "en": "Measurement Invariance Across Groups ({group})"},
    "title.measurement_model": {"es": "Modelo de medición: cargas, confiabilidad y validez convergente",
                                "en": "Measurement Model: Loadings, Reliability and Convergent Validity"},
    "title.discriminant_pairs": {"es": "Validez discriminante por pares de constructos: Fornell-Larcker, HTMT y HTMT2",
                                 "en": "Discriminant Validity by Pairs of Constructs: Fornell-Larcker, HTMT and HTMT2"},
    "title.efa_common_method": {"es": "Análisis factorial exploratorio, varianza de método común y normalidad",
                                "en": "Exploratory Factor Analysis, Common-Method Variance and Normality"},
    # column headers
    "col.characteristic": {"es": "Característica", "en": "Characteristic"},
    "col.wave": {"es": "Ola", "en": "Wave"},
    "col.file": {"es": "Archivo", "en": "File"},
    "col.rows_in": {"es": "Filas recibidas", "en": "Rows received"},
    "col.rows_kept": {"es": "Filas válidas", "en": "Rows kept"},
    "col.rows_quarantined": {"es": "Filas en cuarentena", "en": "Rows quarantined"},
    "col.item": {"es": "Ítem", "en": "Item"},
    "col.wording": {"es": "Enunciado", "en": "Wording"},
    "col.construct": {"es": "Constructo", "en": "Construct"},
    "col.model": {"es": "Modelo", "en": "Model"},
    "col.hypothesis": {"es": "Hipótesis", "en": "Hypothesis"},
    "col.path": {"es": "Relación", "en": "Path"},
    "col.effect": {"es": "Efecto", "en": "Effect"},
    "col.supported": {"es": "¿Se apoya?", "en": "Supported?"},
    "col.decision": {"es": "Decisión", "en": "Decision"},
    "col.k": {"es": "<i>k</i>", "en": "<i>k</i>"},
    "col.n_items": {"es": "Ítems", "en": "Items"},
    "col.skew": {"es": "Asimetría", "en": "Skewness"},
    "col.kurtosis": {"es": "Curtosis", "en": "Kurtosis"},
    "col.r_drop": {"es": "<i>r</i><sub>it</sub>", "en": "<i>r</i><sub>it</sub>"},
    "col.alpha_drop": {"es": "α si se elimina", "en": "α if deleted"},
    "col.ci": {"es": "IC {level}%", "en": "{level}% CI"},
    "col.ll": {"es": "LI", "en": "LL"},
    "col.ul": {"es": "LS", "en": "UL"},
    "col.comparison": {"es": "Comparación", "en": "Comparison"},
    "col.level": {"es": "Nivel", "en": "Level"},
    "col.pair": {"es": "Par", "en": "Pair"},
    "col.test": {"es": "Prueba", "en": "Test"},
    "col.result": {"es": "Resultado", "en": "Result"},
    "col.criterion": {"es": "Criterio", "en": "Criterion"},
    "col.met": {"es": "¿Cumple?", "en": "Met?"},
    # EFA, common-method variance, normality
    "efa.group_factorability": {"es": "Factorizabilidad y número de factores", "en": "Factorability and number of factors"},
    "efa.group_cmv": {"es": "Varianza de método común", "en": "Common-method variance"},
    "efa.group_normality": {"es": "Normalidad multivariante", "en": "Multivariate normality"},
    "efa.kmo": {"es": "KMO (Kaiser, 1974)", "en": "KMO (Kaiser, 1974)"},
    "efa.bartlett": {"es": "Esfericidad de Bartlett (1950)", "en": "Bartlett's (1950) sphericity"},
    "efa.parallel": {"es": "Análisis paralelo: factores (Horn, 1965)", "en": "Parallel analysis: factors (Horn, 1965)"},
    "efa.parallel_criterion": {"es": "= {k} constructos", "en": "= {k} constructs"},
    "efa.harman": {"es": "Factor único de Harman: varianza (Podsakoff et al., 2003)",
                   "en": "Harman's single factor: variance (Podsakoff et al., 2003)"},
    "efa.single_factor": {"es": "AFC de un solo factor", "en": "Single-factor CFA"},
    "efa.single_factor_diff": {"es": "Un factor frente al modelo de medición (Δχ²)",
                               "en": "One factor against the measurement model (Δχ²)"},
    "efa.mardia_skew": {"es": "Asimetría de Mardia (1970)", "en": "Mardia's (1970) skewness"},
    "efa.mardia_kurt": {"es": "Curtosis de Mardia (1970)", "en": "Mardia's (1970) kurtosis"},
    "efa.method_minres": {"es": "residuos mínimos", "en": "minimum residuals"},
    "efa.method_ml": {"es": "máxima verosimilitud", "en": "maximum likelihood"},
    "efa.method_principal": {"es": "ejes principales", "en": "principal axes"},
    # sample description
    "firms": {"es": "Empresas", "en": "Firms"},
    "mean_sd": {"es": "<i>M</i> (<i>DE</i>)", "en": "<i>M</i> (<i>SD</i>)"},
    "n_pct": {"es": "<i>n</i> (%)", "en": "<i>n</i> (%)"},
    # quarantine reasons (alianza.quality.REASONS)
    "reason.empty_row": {"es": "Vacía", "en": "Empty"},
    "reason.missing_id": {"es": "Sin folio", "en": "No ID"},
    "reason.exact_duplicate": {"es": "Duplicada", "en": "Duplicate"},
    "reason.conflicting_duplicate": {"es": "Folio repetido", "en": "Conflicting ID"},
    "reason.out_of_range": {"es": "Fuera de rango", "en": "Out of range"},
    "reason.failed_attention_check": {"es": "Atención", "en": "Attention check"},
    "reason.straight_lining": {"es": "Respuesta uniforme", "en": "Straight-lining"},
    "reason.partial_complete": {"es": "Incompleta", "en": "Partial"},
    "reason.no_consent": {"es": "Sin consentimiento", "en": "No consent"},
    "reason.truncated_row": {"es": "Fila truncada", "en": "Truncated row"},
    "reason.unreadable_cell": {"es": "Celda ilegible", "en": "Unreadable cell"},
    # invariance levels
    "inv.configural": {"es": "Configural", "en": "Configural"},
    "inv.metric": {"es": "Métrica (cargas)", "en": "Metric (loadings)"},
    "inv.scalar": {"es": "Escalar (interceptos)", "en": "Scalar (intercepts)"},
    "inv.strict": {"es": "Estricta (residuales)", "en": "Strict (residuals)"},
    "inv.metric_short": {"es": "métrica", "en": "metric"},
    "inv.scalar_short": {"es": "escalar", "en": "scalar"},
    "inv.strict_short": {"es": "estricta", "en": "strict"},
    "inv.configural_short": {"es": "configural", "en": "configural"},
    "inv.note_merged": {"es": "Los grupos {groups} de {group} (<i>n</i> < {min}) se unieron en «{other}» (<i>n</i> = {n}).",
                        "en": "Groups {groups} of {group} (<i>n</i> < {min}) were merged into “{other}” (<i>n</i> = {n})."},
    "inv.note_left_out": {"es": "Los grupos {groups} de {group} (<i>n</i> = {n} en conjunto, menos de {min}) se excluyeron.",
                          "en": "Groups {groups} of {group} (<i>n</i> = {n} together, fewer than {min}) were left out."},
    "inv.note_skipped": {"es": "Los grupos {groups} de {group} tienen menos de {min} casos y se excluyeron.",
                         "en": "Groups {groups} of {group} have fewer than {min} cases and were left out."},
    "inv.note_failed": {"es": "La invarianza {step} no se sostiene{freed}; los niveles siguientes se informan, pero "
                              "descansan en un nivel {step} no sostenido.",
                        "en": "{step} invariance does not hold{freed}; later levels are reported but rest on a failed "
                              "{step} level."},
    "inv.note_untested": {"es": "La invarianza {step} no añade restricciones de igualdad a la {prev}{why}: no se evalúa.",
                          "en": "{step} invariance adds no equality constraint to {prev} invariance{why}: it is not "
                                "tested."},
    "inv.note_untested_delta": {"es": " (con la parametrización delta, los ítems ordinales no tienen varianzas "
                                      "residuales que igualar; la parametrización theta las evalúa)",
                                "en": " (under the delta parameterization ordered items have no residual variances "
                                      "to equate; the theta parameterization tests them)"},
    "inv.note_even_freed": {"es": " ni aun liberando parámetros", "en": " even after freeing parameters"},
    "inv.note_not_converged": {"es": "El modelo de invarianza {step} no convergió.",
                               "en": "The {step} invariance model did not converge."},
    "inv.note_no_means": {"es": "No se comparan las medias latentes: no se sostiene la invarianza escalar (total ni parcial).",
                          "en": "Latent means are not compared: scalar invariance (full or partial) does not hold."},
    "inv.held": {"es": "Se sostiene", "en": "Holds"},
    "inv.not_held": {"es": "No se sostiene", "en": "Does not hold"},
    "inv.not_tested": {"es": "No evaluado", "en": "Not tested"},
    # notes
    "note.p_stars": {"es": "*<i>p</i> < .05. **<i>p</i> < .01. ***<i>p</i> < .001.",
                     "en": "*<i>p</i> < .05. **<i>p</i> < .01. ***<i>p</i> < .001."},
    "note.n": {"es": "<i>N</i> = {n}.", "en": "<i>N</i> = {n}."},
    "note.n_listwise": {
        "es": "<i>N</i> = {n} ({dropped} de {rows} empresas con respuestas faltantes excluidas: eliminación por lista).",
        "en": "<i>N</i> = {n} ({dropped} of {rows} firms with missing answers left out: listwise deletion).",
    },
    "note.n_fiml": {
        "es": "<i>N</i> = {n} (las empresas con respuestas faltantes se conservan: máxima verosimilitud con "
              "información completa).",
        "en": "<i>N</i> = {n} (firms with missing answers kept: full-information maximum likelihood).",
    },
    "note.below_criterion": {"es": "Por debajo del criterio.", "en": "Below the criterion."},
    "note.measurement_model": {
        "es": "λ = carga estandarizada; α = alfa de Cronbach; ω = omega de McDonald; CR = confiabilidad compuesta; "
              "AVE = varianza media extraída. Criterios: λ ≥ {loading_min} (Hair et al., 2019); α ≥ {alpha_min} "
              "(Nunnally, 1978); ω ≥ {omega_min} (McDonald, 1999); CR ≥ {cr_min} y AVE ≥ {ave_min} (Fornell y "
              "Larcker, 1981).",
        "en": "λ = standardized loading; α = Cronbach's alpha; ω = McDonald's omega; CR = composite reliability; "
              "AVE = average variance extracted. Criteria: λ ≥ {loading_min} (Hair et al., 2019); α ≥ {alpha_min} "
              "(Nunnally, 1978); ω ≥ {omega_min} (McDonald, 1999); CR ≥ {cr_min} and AVE ≥ {ave_min} (Fornell & "
              "Larcker, 1981).",
    },
    "note.discriminant_pairs": {
        "es": "<i>r</i> = correlación entre los constructos en el AFC; √AVE<sub>min</sub> = la menor raíz de la AVE "
              "del par. Criterios: |<i>r</i>| < √AVE<sub>min</sub> (Fornell y Larcker, 1981); HTMT y HTMT2 < "
              "{htmt_max} y límite superior del IC < 1 (Henseler et al., 2015; Roemer et al., 2021). IC bootstrap "
              "percentil al {level}% con {n_boot} remuestras.",
        "en": "<i>r</i> = correlation between the constructs in the CFA; √AVE<sub>min</sub> = the smaller square root "
              "of the AVE of the pair. Criteria: |<i>r</i>| < √AVE<sub>min</sub> (Fornell & Larcker, 1981); HTMT and "
              "HTMT2 < {htmt_max} and upper CI bound < 1 (Henseler et al., 2015; Roemer et al., 2021). {level}% "
              "percentile bootstrap CI from {n_boot} resamples.",
    },
    "note.efa_common_method": {
        "es": "Análisis factorial exploratorio por {method} con rotación {rotation}. El modelo tiene {k} constructos. "
              "Un solo factor que explique la mayor parte de la varianza, o un modelo de un factor que ajuste tan "
              "bien como el de medición, señalaría varianza de método común (Podsakoff et al., 2003). Mardia: "
              "estadístico de asimetría con su χ² y curtosis como <i>z</i>; el estimador ML supone normalidad.",
        "en": "Exploratory factor analysis by {method} with {rotation} rotation. The model has {k} constructs. A "
              "single factor explaining most of the variance, or a one-factor model fitting as well as the "
              "measurement model, would point to common-method variance (Podsakoff et al., 2003). Mardia: skewness "
              "statistic with its χ² and kurtosis as <i>z</i>; the ML estimator assumes normality.",
    },
    "note.sample_description": {
        "es": "Empresas de cada ola después de la depuración. Variables categóricas: <i>n</i> (%); "
              "variables numéricas: <i>M</i> (<i>DE</i>).",
        "en": "Firms of each wave after data cleaning. Categorical variables: <i>n</i> (%); "
              "numeric variables: <i>M</i> (<i>SD</i>).",
    },
    "note.data_quality": {
        "es": "Las filas en cuarentena se excluyen del análisis y se conservan con su motivo en "
              "data/processed/<ola>.quarantine.csv.",
        "en": "Quarantined rows are left out of the analysis and kept with their reason in "
              "data/processed/<wave>.quarantine.csv.",
    },
    "note.item_descriptives": {
        "es": "<i>N</i> = {n}. <i>M</i> = media; <i>DE</i> = desviación estándar; <i>r</i><sub>it</sub> = "
              "correlación ítem-total corregida; "
              "α si se elimina = alfa de Cronbach del constructo sin el ítem. Escala de respuesta de {lo} "
              "({lo_label}) a {hi} ({hi_label}). (I) = ítem inverso, recodificado antes del análisis.",
        "en": "<i>N</i> = {n}. <i>M</i> = mean; <i>SD</i> = standard deviation; <i>r</i><sub>it</sub> = "
              "corrected item-total correlation; "
              "α if deleted = Cronbach's alpha of the construct without the item. Response scale from {lo} "
              "({lo_label}) to {hi} ({hi_label}). (R) = reverse-keyed item, recoded before the analysis.",
    },
    "reverse_mark": {"es": "(I)", "en": "(R)"},
    "note.reliability": {
        "es": "<i>N</i> = {n}. α = alfa de Cronbach con su intervalo de confianza al {level}%; ω = omega de McDonald "
              "(varianza total observada); CR = confiabilidad compuesta; AVE = varianza media extraída. "
              "Criterios: α, ω y CR ≥ {alpha_min}; AVE ≥ {ave_min} (Nunnally, 1978; Fornell y Larcker, 1981).",
        "en": "<i>N</i> = {n}. α = Cronbach's alpha with its {level}% confidence interval; ω = McDonald's omega "
              "(observed total variance); CR = composite reliability; AVE = average variance extracted. "
              "Criteria: α, ω and CR ≥ {alpha_min}; AVE ≥ {ave_min} (Nunnally, 1978; Fornell & Larcker, 1981).",
    },
    "note.discriminant": {
        "es": "<i>N</i> = {n}. Diagonal (en negritas): raíz cuadrada de la AVE; debajo de la diagonal: "
              "correlaciones entre "
              "constructos estimadas en el AFC; arriba de la diagonal: razón heterorrasgo-monorrasgo (HTMT). "
              "Criterios: la raíz de la AVE mayor que las correlaciones de su fila y columna (Fornell y "
              "Larcker, 1981); HTMT < {htmt_max} (Henseler et al., 2015).",
        "en": "<i>N</i> = {n}. Diagonal (bold): square root of the AVE; below the diagonal: correlations between "
              "constructs "
              "estimated in the CFA; above the diagonal: heterotrait-monotrait ratio (HTMT). Criteria: the square "
              "root of the AVE greater than the correlations in its row and column (Fornell & Larcker, 1981); "
              "HTMT < {htmt_max} (Henseler et al., 2015).",
    },
    "note.discriminant_ci": {
        "es": " Límite superior máximo del IC bootstrap al {level}% de la HTMT ({n_boot} remuestras): {upper}.",
        "en": " Largest upper bound of the {level}% bootstrap CI of HTMT ({n_boot} resamples): {upper}.",
    },
    "note.cfa_loadings": {
        "es": "<i>N</i> = {n}; estimador {estimator}. <i>B</i> = carga no estandarizada; <i>EE</i> = error estándar; "
              "β = carga estandarizada. La primera carga de cada constructo se fija en 1 para darle escala "
              "(—: sin error estándar). Ajuste del modelo: χ²({df}) = {chisq}, <i>p</i> {p}; CFI = {cfi}; "
              "RMSEA = {rmsea}; SRMR = {srmr}.",
        "en": "<i>N</i> = {n}; {estimator} estimator. <i>B</i> = unstandardized loading; <i>SE</i> = standard error; "
              "β = standardized loading. The first loading of each construct is fixed to 1 to set its scale "
              "(—: no standard error). Model fit: χ²({df}) = {chisq}, <i>p</i> {p}; CFI = {cfi}; RMSEA = {rmsea}; "
              "SRMR = {srmr}.",
    },
    "note.fit_indices": {
        "es": "<i>N</i> = {n}; estimador {estimator}. χ² = estadístico de la prueba de ajuste; <i>gl</i> = grados de "
              "libertad; CFI = índice de ajuste comparativo; TLI = índice de Tucker-Lewis; RMSEA = error "
              "cuadrático medio de aproximación con su IC al 90%; SRMR = raíz del residuo cuadrático medio "
              "estandarizado; AIC y BIC = criterios de información de Akaike y bayesiano. Criterios de buen "
              "ajuste: {cutoffs} (Hu y Bentler, 1999).",
        "en": "<i>N</i> = {n}; {estimator} estimator. χ² = test statistic of model fit; <i>df</i> = degrees of "
              "freedom; "
              "CFI = comparative fit index; TLI = Tucker-Lewis index; RMSEA = root mean square error of "
              "approximation with its 90% CI; SRMR = standardized root mean square residual; AIC and BIC = "
              "Akaike and Bayesian information criteria. Criteria of good fit: {cutoffs} (Hu & Bentler, 1999).",
    },
    "note.amos": {
        "es": "χ²/<i>gl</i> = chi cuadrada normada; GFI y AGFI = índices de bondad de ajuste (ajustado por grados de "
              "libertad) de Jöreskog y Sörbom (1984), calculados como en lavaan. Criterios usuales: χ²/<i>gl</i> < 3, "
              "GFI y AGFI ≥ .90; dependen del tamaño de la muestra y del modelo (Sharma et al., 2005).",
        "en": "χ²/<i>df</i> = normed chi-square; GFI and AGFI = goodness-of-fit index (adjusted for degrees of "
              "freedom) of Jöreskog and Sörbom (1984), computed as in lavaan. Usual criteria: χ²/<i>df</i> < 3, GFI "
              "and AGFI ≥ .90; they depend on sample and model size (Sharma et al., 2005).",
    },
    "note.hypotheses": {
        "es": "<i>N</i> = {n}. <i>B</i> = coeficiente no estandarizado; <i>EE</i> = error estándar; β = coeficiente "
              "estandarizado; IC = intervalo de confianza al {level}% de <i>B</i>.",
        "en": "<i>N</i> = {n}. <i>B</i> = unstandardized coefficient; <i>SE</i> = standard error; β = "
              "standardized coefficient; "
              "CI = {level}% confidence interval of <i>B</i>.",
    },
    "ci.perc": {"es": "bootstrap percentil", "en": "percentile bootstrap"},
    "ci.bca": {"es": "bootstrap BCa", "en": "BCa bootstrap"},
    "ci.wald": {"es": "Wald", "en": "Wald"},
    "ci.perc_short": {"es": "percentil", "en": "percentile"},
    "ci.bca_short": {"es": "BCa", "en": "BCa"},
    "ci.perc_bca_short": {"es": "percentil y BCa", "en": "percentile and BCa"},
    "ci.wald_short": {"es": "de Wald", "en": "Wald"},
    "note.hypotheses_test_boot": {
        "es": "<i>EE</i> = desviación estándar de las remuestras bootstrap; <i>p</i> = prueba <i>z</i> con ese "
              "error estándar (aproximación normal). La decisión se toma con el intervalo bootstrap: se apoya la "
              "hipótesis cuando el intervalo excluye el cero en la dirección esperada.",
        "en": "<i>SE</i> = standard deviation of the bootstrap resamples; <i>p</i> = <i>z</i> test with that "
              "standard error (normal approximation). The decision uses the bootstrap interval: a hypothesis is "
              "supported when the interval excludes zero in the expected direction.",
    },
    "note.hypotheses_test_wald": {
        "es": "<i>p</i> = prueba <i>z</i> (teoría normal). Se apoya la hipótesis cuando <i>p</i> < .05 y el signo "
              "es el esperado.",
        "en": "<i>p</i> = <i>z</i> test (normal theory). A hypothesis is supported when <i>p</i> < .05 and the "
              "sign is as expected.",
    },
    "note.r2_outcome": {
        "es": "<i>R</i>² = varianza explicada del constructo de destino.",
        "en": "<i>R</i>² = explained variance of the outcome construct.",
    },
    "note.indirect_effects": {
        "es": "<i>N</i> = {n}. <i>B</i> = efecto indirecto no estandarizado; <i>EE</i> = error estándar "
              "bootstrap; β = efecto "
              "estandarizado; IC = intervalo {ci_type} al {level}% con {n_boot} remuestras bootstrap "
              "(semilla {seed}). Un intervalo que no incluye el cero indica un efecto indirecto significativo.",
        "en": "<i>N</i> = {n}. <i>B</i> = unstandardized indirect effect; <i>SE</i> = bootstrap standard error; "
              "β = standardized "
              "effect; CI = {level}% {ci_type} interval from {n_boot} bootstrap resamples (seed {seed}). An "
              "interval that excludes zero indicates a significant indirect effect.",
    },
    "note.model_comparison": {
        "es": "<i>N</i> = {n}. ΔAIC y ΔBIC = diferencia con el menor valor entre los modelos (valores menores indican "
              "mejor balance entre ajuste y parsimonia). Δχ², Δ<i>gl</i> y <i>p</i> = prueba de diferencia de χ² "
              "del modelo frente al modelo más general en el que está anidado (columna Comparación).",
        "en": "<i>N</i> = {n}. ΔAIC and ΔBIC = difference from the smallest value among the models (lower values "
              "indicate a better balance of fit and parsimony). Δχ², Δ<i>df</i> and <i>p</i> = chi-square difference "
              "test of the model against the more general model it is nested in (Comparison column).",
    },
    "eff.direct": {"es": "Directo", "en": "Direct"},
    "eff.indirect": {"es": "Indirecto", "en": "Indirect"},
    "eff.total_indirect": {"es": "Indirecto total", "en": "Total indirect"},
    "eff.total": {"es": "Total", "en": "Total"},
    "note.effects": {
        "es": "<i>N</i> = {n}. Efectos del modelo estructural sobre su resultado final: directo (la ruta), indirecto "
              "(producto de las rutas a través de los mediadores que se indican), indirecto total (suma de los "
              "indirectos) y total (directo más indirectos). <i>B</i> = efecto no estandarizado; <i>EE</i> = error "
              "estándar bootstrap; β = efecto estandarizado. IC al {level}%: {intervals}, con {n_boot} remuestras "
              "bootstrap (semilla {seed}), cada una reajustada con {estimator}; un intervalo que no incluye el cero "
              "indica un efecto significativo.",
        "en": "<i>N</i> = {n}. Effects of the structural model on its final outcome: direct (the path), indirect "
              "(product of the paths through the mediators shown), total indirect (sum of the indirect effects) and "
              "total (direct plus indirect). <i>B</i> = unstandardized effect; <i>SE</i> = bootstrap standard error; "
              "β = standardized effect. {level}% CI: {intervals}, from {n_boot} bootstrap resamples (seed {seed}), "
              "each refitted by {estimator}; an interval that excludes zero indicates a significant effect.",
    },
    "eff.intervals_bca": {"es": "percentil y corregido por sesgo y acelerado (BCa)",
                          "en": "percentile and bias-corrected and accelerated (BCa)"},
    "eff.intervals_perc": {"es": "percentil (sin BCa: bootstrap.ci no la pide)",
                           "en": "percentile (no BCa: bootstrap.ci does not ask for it)"},
    "eff.intervals_perc_rows": {"es": "percentil (BCa solo se calcula con ML o MLR sobre las filas completas "
                                      "de un grupo)",
                                "en": "percentile (BCa is computed only for ML or MLR on the complete rows of "
                                      "one group)"},
    "note.indirect_effects_wald": {
        "es": "<i>N</i> = {n}. <i>B</i> = efecto indirecto no estandarizado; <i>EE</i> = error estándar (método "
              "delta); "
              "β = efecto estandarizado; IC = intervalo de Wald al {level}%.",
        "en": "<i>N</i> = {n}. <i>B</i> = unstandardized indirect effect; <i>SE</i> = standard error (delta method); "
              "β = standardized effect; CI = {level}% Wald interval.",
    },
    "note.invariance": {
        "es": "Cada nivel añade restricciones de igualdad entre grupos al anterior. Δ = cambio respecto del "
              "nivel anterior. Criterios, {criteria} (Chen, 2007; Cheung y Rensvold, 2002).",
        "en": "Each level adds equality constraints across groups to the previous one. Δ = change from the "
              "previous level. Criteria, {criteria} (Chen, 2007; Cheung & Rensvold, 2002).",
    },
    "note.synthetic": {
        "es": "Datos sintéticos de ejemplo incluidos con el programa; no describen empresas reales.",
        "en": "Synthetic example data bundled with the software; they do not describe real firms.",
    },
    # survey design (sampling weights, clusters): the quarantine reason, sentences appended to a table's note
    "reason.invalid_design": {"es": "Ponderación o conglomerado inválido", "en": "Invalid weight or cluster"},
    "note.design_weighted": {
        "es": "Estimaciones ponderadas con los factores de expansión ({weights}).",
        "en": "Estimates weighted by the sampling weights ({weights}).",
    },
    "note.design_cluster": {
        "es": "Errores estándar y χ² escalado robustos a conglomerados ({n_clusters} conglomerados de {cluster}).",
        "en": "Standard errors and scaled χ² robust to clustering ({n_clusters} clusters of {cluster}).",
    },
    "note.design_weighted_sample": {
        "es": "Entre corchetes, estimaciones ponderadas con los factores de expansión ({weights}): porcentaje, "
              "o <i>M</i> (<i>DE</i>); junto a Empresas, la suma de las ponderaciones (empresas que la muestra "
              "representa).",
        "en": "In brackets, estimates weighted by the sampling weights ({weights}): percentage, or <i>M</i> "
              "(<i>SD</i>); beside Firms, the sum of the weights (the firms the sample stands for).",
    },
    "note.design_strata": {
        "es": "Estratos de muestreo ({strata}) descritos, no usados en la estimación.",
        "en": "Sampling strata ({strata}) described, not used in the estimation.",
    },
    "note.design_bootstrap": {
        "es": "El bootstrap remuestrea conglomerados completos, con las ponderaciones de sus filas.",
        "en": "The bootstrap resamples whole clusters, with their rows' weights.",
    },
    "note.design_bootstrap_weights": {
        "es": "El bootstrap remuestrea filas, cada una con su ponderación.",
        "en": "The bootstrap resamples rows, each with its weight.",
    },
    "note.design_unweighted_validity": {
        "es": "Confiabilidad y validez calculadas sin ponderar (la confiabilidad ponderada no es un "
              "procedimiento estándar): describen a las empresas encuestadas, no a la población.",
        "en": "Reliability and validity computed unweighted (weighted reliability is not a standard "
              "procedure): they describe the firms surveyed, not the population.",
    },
    # fit cut-off phrases
    "cut.cfi": {"es": "CFI ≥ {v}", "en": "CFI ≥ {v}"},
    "cut.tli": {"es": "TLI ≥ {v}", "en": "TLI ≥ {v}"},
    "cut.rmsea": {"es": "RMSEA ≤ {v}", "en": "RMSEA ≤ {v}"},
    "cut.srmr": {"es": "SRMR ≤ {v}", "en": "SRMR ≤ {v}"},
    # figures
    "fig.path_note": {
        "es": "Coeficientes estandarizados. Se omiten los indicadores de cada constructo.",
        "en": "Standardized coefficients. The indicators of each construct are not drawn.",
    },
    "fig.likert_note": {
        "es": "{mark} Ítem inverso: respuestas tal como se dieron (se recodifican antes del análisis).",
        "en": "{mark} Reverse-keyed item: answers as given (recoded before the analysis).",
    },
    "fig.likert_title": {"es": "Distribución de respuestas", "en": "Response distribution"},
    "fig.percent": {"es": "Porcentaje de respuestas", "en": "Percentage of responses"},
    "fig.r2": {"es": "<i>R</i>² = {v}", "en": "<i>R</i>² = {v}"},
    "fig.fit": {"es": "Ajuste del modelo: {fit}.", "en": "Model fit: {fit}."},
    "fig.indirect_named": {"es": "Efecto indirecto {name} ({route})", "en": "Indirect effect {name} ({route})"},
    "fig.indirect": {"es": "efecto indirecto", "en": "indirect effect"},
    "fig.power_mc_ci": {"es": "IC de Monte Carlo", "en": "Monte Carlo CI"},
    "fig.power_target": {"es": "potencia de {v}%", "en": "{v}% power"},
    "fig.power_x": {"es": "Tamaño de muestra (<i>n</i>)", "en": "Sample size (<i>n</i>)"},
    "fig.power_y": {"es": "Potencia (<i>p</i> < {alpha})", "en": "Power (<i>p</i> < {alpha})"},
    "fig.power_data_likert": {"es": "datos Likert", "en": "Likert data"},
    "fig.power_data_continuous": {"es": "datos continuos", "en": "continuous data"},
    "fig.power_title": {"es": "Potencia por Monte Carlo: {reps} réplicas por n, {data}, estimador {estimator}",
                        "en": "Monte Carlo power: {reps} replicates per n, {data}, {estimator} estimator"},
    # provenance line (table comments, Word document comments)
    # no longer than the English line: Word keeps it in a core property of at most 255 characters
    "prov.line": {"es": "Generado por alianza {version} (semilla {seed}) el {created}; datos: {inputs}; versiones, "
                        "config. y sumas: {path}",
                  "en": "Generated by alianza {version} (seed {seed}) on {created}; inputs: {inputs}; versions, "
                        "config and checksums: {path}"},
    "prov.see_record": {"es": "ver el registro", "en": "see record"},
    # results page (reports/index.html)
    "page.title": {"es": "Resultados del estudio", "en": "Study results"},
    "page.study": {"es": "Modelo de cinco etapas de alianzas estratégicas de microempresas mexicanas: escalas, "
                         "modelos de ecuaciones estructurales e hipótesis.",
                   "en": "Five-stage model of strategic alliances of Mexican micro-enterprises: scales, structural "
                         "equation models and hypotheses."},
    "page.subtitle": {"es": "{waves} olas, {firms} empresas válidas; resultados de la muestra: {sample}.",
                      "en": "{waves} waves, {firms} valid firms; results of the sample: {sample}."},
    "page.subtitle_one": {"es": "1 ola, {firms} empresas válidas; resultados de la muestra: {sample}.",
                          "en": "1 wave, {firms} valid firms; results of the sample: {sample}."},
    "page.pooled": {"es": "todas las olas combinadas", "en": "all waves pooled"},
    "page.pooled_one": {"es": "la única ola", "en": "the single wave"},
    "page.sample": {"es": "Muestra", "en": "Sample"},
    "page.fit": {"es": "Ajuste de los modelos", "en": "Model fit"},
    "page.hypotheses": {"es": "Hipótesis", "en": "Hypotheses"},
    "page.validity": {"es": "Validez de las escalas", "en": "Scale validity"},
    "page.invariance": {"es": "Invarianza de medición", "en": "Measurement invariance"},
    "page.power": {"es": "Potencia estadística", "en": "Statistical power"},
    "page.files": {"es": "Tablas y figuras", "en": "Tables and figures"},
    "page.tables": {"es": "Tablas (APA 7)", "en": "Tables (APA 7)"},
    "page.figures": {"es": "Figuras", "en": "Figures"},
    "page.n_models": {"es": "Los modelos usan <b>{n}</b> de {rows} empresas ({missing}); estimador {estimator}.",
                      "en": "The models use <b>{n}</b> of {rows} firms ({missing}); {estimator} estimator."},
    "page.missing_listwise": {"es": "eliminación por lista de las respuestas faltantes",
                              "en": "listwise deletion of missing answers"},
    "page.missing_fiml": {"es": "máxima verosimilitud con información completa",
                          "en": "full-information maximum likelihood"},
    "page.meets": {"es": "Cumple", "en": "Meets"},
    "page.fit_criteria": {"es": "Criterios de buen ajuste: {criteria} (Hu y Bentler, 1999).",
                          "en": "Criteria of good fit: {criteria} (Hu & Bentler, 1999)."},
    "page.not_converged": {"es": "la estimación no convergió; sus números no son interpretables.",
                           "en": "the estimation did not converge; its numbers cannot be interpreted."},
    "page.negative_variance": {"es": "solución impropia: varianza negativa de {var} ({v}, caso Heywood).",
                               "en": "improper solution: negative variance of {var} ({v}, Heywood case)."},
    "page.loading_above_one": {"es": "solución impropia: carga estandarizada de {item} mayor que 1 ({v}).",
                               "en": "improper solution: standardized loading of {item} above 1 ({v})."},
    "page.statement": {"es": "Enunciado", "en": "Statement"},
    "page.supported": {"es": "Apoyada", "en": "Supported"},
    "page.not_supported": {"es": "No apoyada", "en": "Not supported"},
    "page.validity_ok": {"es": "Todas las escalas cumplen los criterios de confiabilidad y validez.",
                         "en": "Every scale meets the reliability and validity criteria."},
    "page.validity_intro": {"es": "Criterios no cumplidos: {k}. Se señalan también en las tablas de validez.",
                            "en": "Criteria not met: {k}. The validity tables flag them too."},
    "page.stat_alpha": {"es": "α", "en": "α"},
    "page.stat_omega": {"es": "ω", "en": "ω"},
    "page.stat_cr": {"es": "CR", "en": "CR"},
    "page.stat_ave": {"es": "AVE", "en": "AVE"},
    "page.flag_below": {"es": "{construct}: {stat} = {v}, por debajo de {min}.",
                        "en": "{construct}: {stat} = {v}, below {min}."},
    "page.flag_loadings": {"es": "{construct}: cargas por debajo de {min}: {items}.",
                           "en": "{construct}: loadings below {min}: {items}."},
    "page.flag_fornell": {"es": "{a} y {b}: la correlación ({r}) supera la raíz de la AVE (Fornell-Larcker).",
                          "en": "{a} and {b}: the correlation ({r}) exceeds the square root of the AVE "
                                "(Fornell-Larcker)."},
    "page.flag_htmt": {"es": "{a} y {b}: HTMT = {v}, por encima de {max}.", "en": "{a} and {b}: HTMT = {v}, above {max}."},
    "page.flag_harman": {"es": "Un solo factor explica {v} de la varianza: posible varianza de método común.",
                         "en": "A single factor explains {v} of the variance: possible common-method variance."},
    "page.grouping": {"es": "Agrupación", "en": "Grouping"},
    "page.groups": {"es": "Grupos", "en": "Groups"},
    "page.level_reached": {"es": "Nivel alcanzado", "en": "Level reached"},
    "page.none": {"es": "Ninguno", "en": "None"},
    "page.invariance_note": {"es": "Con invarianza escalar se pueden comparar las medias latentes entre grupos.",
                             "en": "With scalar invariance the latent means can be compared across groups."},
    "page.min_n": {"es": "<i>n</i> para {v}% de potencia", "en": "<i>n</i> for {v}% power"},
    "page.power_intro": {"es": "Simulación de Monte Carlo con {reps} réplicas por tamaño de muestra ({grid}).",
                         "en": "Monte Carlo simulation with {reps} replicates per sample size ({grid})."},
    "page.provenance": {"es": "Versiones del software, semillas y sumas de verificación: "
                              "<a href=\"provenance.html\">procedencia</a>; informe de Snakemake: "
                              "<a href=\"report.html\">report.html</a>.",
                        "en": "Software versions, seeds and checksums: <a href=\"provenance.html\">provenance</a>; "
                              "Snakemake report: <a href=\"report.html\">report.html</a>."},
    "page.all_tables": {"es": "Todas las tablas en un documento", "en": "All tables in one document"},
    "page.fig_path": {"es": "Diagrama de rutas del modelo estructural", "en": "Path diagram of the structural model"},
    "page.fig_power": {"es": "Curva de potencia", "en": "Power curve"},
    "page.footer": {"es": "Generado por alianza. Los números provienen de reports/ y se regeneran con make run.",
                    "en": "Generated by alianza. The numbers come from reports/ and are regenerated by make run."},
    # console (make run)
    "console.start": {"es": "alianza: corriendo el flujo de trabajo (detalle de cada paso en {log})",
                      "en": "alianza: running the workflow (detail of every step in {log})"},
    "console.nothing": {"es": "Nada que hacer: los resultados están al día.",
                        "en": "Nothing to do: the results are up to date."},
    "console.failed": {"es": "✗ Falló: {stage}. Detalle en {log}", "en": "✗ Failed: {stage}. Detail in {log}"},
    "console.failed_run": {"es": "✗ El flujo de trabajo se detuvo. Detalle en {log}",
                           "en": "✗ The workflow stopped. Detail in {log}"},
    "console.summary": {"es": "Resumen de resultados", "en": "Summary of results"},
    "console.sample": {"es": "  Muestra: {waves} olas, {rows} filas recibidas, {kept} empresas válidas.",
                       "en": "  Sample: {waves} waves, {rows} rows received, {kept} valid firms."},
    "console.sample_one": {"es": "  Muestra: 1 ola, {rows} filas recibidas, {kept} empresas válidas.",
                           "en": "  Sample: 1 wave, {rows} rows received, {kept} valid firms."},
    "console.fit": {"es": "  {mark} Ajuste, {model} (N = {n}): CFI = {cfi}, RMSEA = {rmsea}, SRMR = {srmr}",
                    "en": "  {mark} Fit, {model} (N = {n}): CFI = {cfi}, RMSEA = {rmsea}, SRMR = {srmr}"},
    "console.hypotheses": {"es": "  Hipótesis: {k} de {n} apoyadas ({detail})",
                           "en": "  Hypotheses: {k} of {n} supported ({detail})"},
    "console.validity": {"es": "  ! Validez: {k} criterios no cumplidos (señalados en las tablas y en reports/index.html)",
                         "en": "  ! Validity: {k} criteria not met (flagged in the tables and in reports/index.html)"},
    "console.validity_ok": {"es": "  ✓ Validez: todas las escalas cumplen los criterios",
                            "en": "  ✓ Validity: every scale meets the criteria"},
    "console.invariance": {"es": "  Invarianza alcanzada: {levels}", "en": "  Invariance reached: {levels}"},
    "console.power": {"es": "  Potencia: n para 80% por hipótesis: {detail}",
                      "en": "  Power: n for 80% by hypothesis: {detail}"},
    "console.where": {
        "es": "Dónde mirar: reports/index.html (resultados), reports/tables/{sample}/tables.docx y tables.tex "
              "(tablas APA), reports/figures/, reports/report.html (procedencia).",
        "en": "Where to look: reports/index.html (results), reports/tables/{sample}/tables.docx and tables.tex "
              "(APA tables), reports/figures/, reports/report.html (provenance).",
    },
    "stage.ingest": {"es": "Lectura y validación de las olas", "en": "Waves read and validated"},
    "stage.pool": {"es": "Muestra combinada", "en": "Pooled sample"},
    "stage.improper_solutions": {"es": "Soluciones impropias (revisión)", "en": "Improper solutions (check)"},
    "stage.data_quality_table": {"es": "Tabla de calidad de los datos", "en": "Data-quality table"},
    "stage.fit_model": {"es": "Modelos estimados", "en": "Models fitted"},
    "stage.fit_indices_table": {"es": "Índices de ajuste", "en": "Fit indices"},
    "stage.validity": {"es": "Validación de las escalas", "en": "Scales validated"},
    "stage.reliability_table": {"es": "Tabla de confiabilidad", "en": "Reliability table"},
    "stage.invariance": {"es": "Invarianza de medición", "en": "Measurement invariance"},
    "stage.invariance_table": {"es": "Tablas de invarianza", "en": "Invariance tables"},
    "stage.power_chunk": {"es": "Réplicas de potencia", "en": "Power replicates"},
    "stage.power": {"es": "Estudio de potencia", "en": "Power study"},
    "stage.provenance": {"es": "Registro de procedencia", "en": "Provenance record"},
    "stage.bootstrap_model": {"es": "Bootstrap del modelo estructural", "en": "Structural model bootstrapped"},
    "stage.hypotheses_table": {"es": "Contraste de hipótesis", "en": "Hypotheses tested"},
    "stage.indirect_effects_table": {"es": "Efectos indirectos", "en": "Indirect effects"},
    "stage.model_comparison_table": {"es": "Comparación de modelos", "en": "Models compared"},
    "stage.effects": {"es": "Efectos directos, indirectos y totales", "en": "Direct, indirect and total effects"},
    "stage.amos_indices": {"es": "Índices estilo AMOS", "en": "AMOS-style indices"},
    "stage.sample_description_table": {"es": "Tabla 1 (muestra)", "en": "Table 1 (sample)"},
    "stage.data_quality_apa_table": {"es": "Tabla S1 (calidad de los datos)", "en": "Table S1 (data quality)"},
    "stage.manuscript_tables": {"es": "Tablas del manuscrito", "en": "Manuscript tables"},
    "stage.invariance_apa_table": {"es": "Tablas de invarianza (APA)", "en": "Invariance tables (APA)"},
    "stage.path_diagram": {"es": "Diagrama de rutas", "en": "Path diagram"},
    "stage.likert_figures": {"es": "Gráficas de respuestas", "en": "Response charts"},
    "stage.provenance_report": {"es": "Página de procedencia", "en": "Provenance page"},
    "stage.results_page": {"es": "Página de resultados (reports/index.html)", "en": "Results page (reports/index.html)"},
    # provenance page (reports/provenance.html)
    "provpage.title": {"es": "Procedencia de los resultados", "en": "Provenance of the results"},
    "provpage.created": {"es": "Fecha de la corrida", "en": "Run date"},
    "provpage.python": {"es": "Python", "en": "Python"},
    "provpage.platform": {"es": "Plataforma", "en": "Platform"},
    "provpage.packages": {"es": "Versiones del software", "en": "Software versions"},
    "provpage.package": {"es": "Paquete", "en": "Package"},
    "provpage.version": {"es": "Versión", "en": "Version"},
    "provpage.seeds": {"es": "Semillas", "en": "Seeds"},
    "provpage.inputs": {"es": "Archivos de entrada (SHA-256)", "en": "Input files (SHA-256)"},
    "provpage.file": {"es": "Archivo", "en": "File"},
    "provpage.bytes": {"es": "Bytes", "en": "Bytes"},
    "provpage.config": {"es": "Configuración", "en": "Configuration"},
    "provpage.source": {"es": "Registro completo", "en": "Full record"},
    # report categories
    "report.data": {"es": "1. Calidad de los datos", "en": "1. Data quality"},
    "report.scales": {"es": "2. Escalas", "en": "2. Scales"},
    "report.models": {"es": "3. Modelos", "en": "3. Models"},
    "report.hypotheses": {"es": "4. Hipótesis", "en": "4. Hypotheses"},
    "report.provenance": {"es": "5. Procedencia", "en": "5. Provenance"},
}


def hypothesis_names(config: dict) -> dict[str, str]:
    """Parameter label -> hypothesis name of config `hypotheses.tests` ('h1' -> 'H1'), for results that
    know parameters only (the power study)."""
    tests = (config.get("hypotheses") or {}).get("tests") or {}
    return {str(h.get("parameter")): str(name) for name, h in tests.items() if h.get("parameter")}


def t_or(key: str, lang: str, fallback: str) -> str:
    """The string `key` when it is defined, else `fallback` (e.g. a quarantine reason added later)."""
    return t(key, lang) if key in STRINGS else fallback


def t(key: str, lang: str, **fields) -> str:
    """The string `key` in `lang` ('es' or 'en'), with {fields} filled in."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    text = STRINGS[key][lang]
    return text.format(**fields) if fields else text
