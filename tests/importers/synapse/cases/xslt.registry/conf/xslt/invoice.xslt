<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
    <xsl:param name="currency" select="'EUR'"/>
    <xsl:param name="customer"/>
    <xsl:template match="/order">
        <invoice id="{@id}" currency="{$currency}" customer="{$customer}">
            <total><xsl:value-of select="sum(line/@price)"/></total>
        </invoice>
    </xsl:template>
</xsl:stylesheet>
